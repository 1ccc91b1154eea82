/**
 * US Social Security number ranges (SSA): area 001-899 except 666, group 01-99, serial 0001-9999.
 * Also rejects the two numbers famous for being printed in sample material (078-05-1120 from the
 * Woolworth wallet insert, 219-09-9999 from an SSA pamphlet), which the SSA voided.
 */
export function isValidSsn(area: string, group: string, serial: string): boolean {
  const a = Number(area);
  if (a === 0 || a === 666 || a >= 900) return false;
  if (Number(group) === 0 || Number(serial) === 0) return false;
  const whole = `${area}${group}${serial}`;
  return whole !== "078051120" && whole !== "219099999";
}
