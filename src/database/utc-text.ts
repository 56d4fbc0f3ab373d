// '2026-12-01 19:58:20.123456' (a UTC timestamp as PostgreSQL prints it in the ISO DateStyle)
// to '2026-12-01T19:58:20.123Z', exactly what Date#toISOString gives for the Date node-pg would
// have parsed (fractions beyond milliseconds are truncated), without building a Date.
const SHAPE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$/;

export function isoFromUtcText(text: string): string {
  // Years past 9999, BC dates and infinity take the slow road through Date.
  if (!SHAPE.test(text)) return new Date(`${text}Z`).toISOString();
  const fraction = text.length > 20 ? text.slice(20, 23).padEnd(3, '0') : '000';
  return `${text.slice(0, 10)}T${text.slice(11, 19)}.${fraction}Z`;
}
