import highsModule, { type Highs } from "highs";

/**
 * The package declares an ES default export in a CommonJS package: TypeScript sees the module
 * object, Node's ESM loader gives the function. Take whichever this runtime hands over.
 */
type Loader = (typeof highsModule)["default"];
const highsLoader: Loader =
  (highsModule as unknown as { default?: Loader }).default ?? (highsModule as unknown as Loader);

let loading: Promise<Highs> | undefined;

/**
 * HiGHS (LP and MIP solver, compiled to WebAssembly), loaded once per process: the module is pure
 * computation with no state between solves, so one instance serves every plan.
 */
export function loadHighs(): Promise<Highs> {
  // A failed load is not cached: the next call tries again.
  loading ??= highsLoader().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}
