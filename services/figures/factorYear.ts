/**
 * The factors of a data year (contract 8.2): a figure of a period uses the rows in force for the
 * site-zone year of the period's start. One place that asks the factor table for them, so every
 * figure of the figures layer (series buckets, status, reports) picks its year the same way.
 */
import { DateTime } from 'luxon';
import type { FactorTable, FactorView } from '../energy/factors';

/** The site-zone year of `ms` (a bucket's or period's start). */
export function dataYear(ms: number, zone: string): number {
  return DateTime.fromMillis(ms, { zone }).year;
}

/** The factors in force for data year `year` (the table keeps one view per year). */
export function factorsOfYear(table: FactorTable, year: number): FactorView {
  return table.forYear(year);
}
