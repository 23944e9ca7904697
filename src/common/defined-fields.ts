/** The fields of an options object that are not undefined, so that spreading it over defaults keeps them. */
export function definedFields<T extends object>(options: T | undefined): { [K in keyof T]?: Exclude<T[K], undefined> } {
  if (!options) return {};
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
