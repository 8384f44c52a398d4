// serialization: 'json' (process pools) carries only what JSON can: null, booleans, finite numbers,
// strings, dense arrays and plain objects of those. Anything else would arrive changed without a
// word (undefined and functions vanish or become null, NaN and Infinity become null, a Map or a Date
// becomes {} or a string, a BigInt or a cycle throws somewhere less helpful), so it is found first
// and refused with the path to it.

function pathOf(base: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

function kindOf(value: object): string {
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? `a ${name}` : 'an object with a custom prototype';
}

/** Where in `value` (named `path`) JSON would lose or change something, and what; undefined if nowhere. */
export function jsonUncarriable(value: unknown, path: string): string | undefined {
  const ancestors = new Set<object>();
  const walk = (v: unknown, p: string): string | undefined => {
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return undefined;
      case 'number':
        return Number.isFinite(v) ? undefined : `${p} is ${v}`;
      case 'undefined':
      case 'bigint':
      case 'symbol':
      case 'function':
        return `${p} is ${typeof v === 'undefined' ? 'undefined' : `a ${typeof v}`}`;
    }
    if (v === null) return undefined;
    const o = v as object;
    if (ancestors.has(o)) return `${p} is a cycle (it refers back to an object that contains it)`;
    const proto = Object.getPrototypeOf(o) as unknown;
    const isArray = Array.isArray(o);
    if (isArray ? proto !== Array.prototype : proto !== Object.prototype && proto !== null) {
      return `${p} is ${kindOf(o)} (JSON carries only plain objects and arrays)`;
    }
    if (Object.getOwnPropertySymbols(o).some((s) => Object.prototype.propertyIsEnumerable.call(o, s))) {
      return `${p} has a symbol key`;
    }
    ancestors.add(o);
    if (isArray) {
      const a = o as unknown[];
      for (let i = 0; i < a.length; i++) {
        if (!(i in a)) return `${p}[${i}] is a hole in a sparse array`;
        const problem = walk(a[i], `${p}[${i}]`);
        if (problem !== undefined) return problem;
      }
    } else {
      for (const key of Object.keys(o)) {
        const problem = walk((o as Record<string, unknown>)[key], pathOf(p, key));
        if (problem !== undefined) return problem;
      }
    }
    ancestors.delete(o);
    return undefined;
  };
  try {
    return walk(value, path);
  } catch (error) {
    // A getter or proxy trap that throws, or nesting deeper than the stack.
    return `${path} cannot be inspected (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** Throws a TypeError if `value` (named `path`) cannot be carried by JSON. */
export function checkJsonCarriable(value: unknown, path: string): void {
  const problem = jsonUncarriable(value, path);
  if (problem !== undefined) {
    throw new TypeError(
      `${problem}, which serialization: 'json' cannot carry (it would arrive changed or not at all); ` +
        `send plain data, or use serialization: 'advanced'`,
    );
  }
}
