// zipcode-to-timezone ships no types: lookup(zip) returns an IANA zone name, or null for an unknown ZIP.
declare module 'zipcode-to-timezone' {
  export function lookup(zip: string): string | null;
  const api: { lookup: typeof lookup };
  export default api;
}
