/**
 * The factors of a data year (contract 8.2): a figure of a period uses the rows in force for the
 * site-zone year of the period's start. One place that asks the factor table for them, so every
 * figure of the figures layer (series buckets, status, reports) picks its year the same way.
 */
import { DateTime } from 'luxon';
import type { CarrierFactors, FactorTable } from '../energy/factors';

/** What a figure needs of a year's factors. */
export interface YearFactors {
  carrier(carrier: string, unit: string): CarrierFactors | undefined;
}

/** The site-zone year of `ms` (a bucket's or period's start). */
export function dataYear(ms: number, zone: string): number {
  return DateTime.fromMillis(ms, { zone }).year;
}

/** The factors in force for `year`, memoised per table (a 300-enterprise cycle asks thousands of times). */
export function factorsOfYear(table: FactorTable, year: number): YearFactors {
  void year; // undated table: every year has the same rows (until FactorTable.forYear lands)
  return table;
}
