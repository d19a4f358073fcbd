/** `20250102T030405Z`: a UTC time to the second for file names: sortable, no characters Windows rejects. */
export function timeStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
}
