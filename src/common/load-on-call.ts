/**
 * An async function of another module that loads that module only when first called: the package's entry
 * exports it without loading (and parsing) the module and all it imports. The original's signature,
 * generics included, is kept; the module is loaded once (`import()` caches it).
 */
export function loadOnCall<Module, Name extends keyof Module>(load: () => Promise<Module>, name: Name): Module[Name] {
  const call = async (...args: unknown[]) => ((await load())[name] as (...args: unknown[]) => unknown)(...args);
  // The exported name, not `call`, in stack traces and `fn.name`.
  Object.defineProperty(call, 'name', { value: String(name) });
  return call as Module[Name];
}
