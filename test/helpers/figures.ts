/**
 * The API's precision rule (contract 8: at least 9 significant digits, no float noise): an
 * expected figure computed by hand, as the API must print it.
 */
export function nineDigits(x: number): number {
  return Number(x.toPrecision(9));
}
