// A tiny runtime schema language for the API's parameters: each builder checks a value and gives it
// back typed, and `Infer` turns a schema into the TypeScript type it accepts, so the method table in
// params-schema.ts is checked against the contract's types at compile time. No dependencies: the
// renderer never imports this file, only main/core/dispatch.ts does.

/** A value that failed its schema: `field` is the path at fault, e.g. 'patch.zones[0].points[1]'. */
export class SchemaError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field} ${problem}`);
  }
}

export interface Schema<T> {
  /** Words for what the value must be, used in messages ("a number from 0 to 1"). */
  readonly expected: string;
  /** Checks `value` (found at `field`) and returns it typed, unknown keys refused; throws SchemaError. */
  parse(value: unknown, field: string): T;
  readonly optional?: false;
  /** Phantom: carries T for `Infer`. */
  readonly __type?: T;
}

/** A property that may be absent (or `undefined`, as structured clone over IPC keeps it). */
export interface OptionalSchema<T> {
  readonly expected: string;
  parse(value: unknown, field: string): T;
  readonly optional: true;
  readonly __type?: T;
}

type AnySchema = Schema<unknown> | OptionalSchema<unknown>;
export type Infer<S> = S extends { readonly __type?: infer T } ? T : never;
type Props = Record<string, AnySchema>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type ObjectOf<P extends Props> = Simplify<
  { [K in keyof P as P[K] extends { optional: true } ? never : K]: Infer<P[K]> } & {
    [K in keyof P as P[K] extends { optional: true } ? K : never]?: Infer<P[K]>;
  }
>;

/** A short, safe rendering of a bad value for messages (never long, never a whole file). */
export function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = String(v);
  }
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function schema<T>(expected: string, check: (v: unknown, field: string) => T): Schema<T> {
  return { expected, parse: check };
}

function fail(field: string, expected: string, v: unknown): never {
  throw new SchemaError(field, `must be ${expected}, not ${shown(v)}`);
}

export function str(options: { max?: number; nonEmpty?: boolean } = {}): Schema<string> {
  const max = options.max ?? 4096;
  const expected = `${options.nonEmpty ? 'a non-empty text' : 'a text'} of at most ${max} characters`;
  return schema(expected, (v, field) => {
    if (typeof v !== 'string' || v.length > max || (options.nonEmpty && !v.trim())) fail(field, expected, v);
    return v;
  });
}

export function num(options: { min?: number; max?: number; integer?: boolean } = {}): Schema<number> {
  const { min, max, integer } = options;
  const kind = integer ? 'a whole number' : 'a number';
  const expected =
    min !== undefined && max !== undefined
      ? `${kind} from ${min} to ${max}`
      : min !== undefined
        ? `${kind} of at least ${min}`
        : max !== undefined
          ? `${kind} of at most ${max}`
          : kind;
  return schema(expected, (v, field) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isSafeInteger(v))) fail(field, expected, v);
    if ((min !== undefined && v < min) || (max !== undefined && v > max)) fail(field, expected, v);
    return v;
  });
}

export function bool(): Schema<boolean> {
  return schema('true or false', (v, field) => (typeof v === 'boolean' ? v : fail(field, 'true or false', v)));
}

export function oneOf<const V extends readonly (string | number)[]>(values: V): Schema<V[number]> {
  const expected = values.length === 1 ? shown(values[0]) : `one of ${values.map((x) => shown(x)).join(', ')}`;
  return schema(expected, (v, field) => ((values as readonly unknown[]).includes(v) ? (v as V[number]) : fail(field, expected, v)));
}

export function nullable<T>(of: Schema<T>): Schema<T | null> {
  const expected = `${of.expected} or null`;
  return schema(expected, (v, field) => (v === null ? null : of.parse(v, field)));
}

/** Either of two schemas (tried in order): e.g. 'dynamic' or a number. */
export function either<A, B>(a: Schema<A>, b: Schema<B>): Schema<A | B> {
  const expected = `${a.expected} or ${b.expected}`;
  return schema(expected, (v, field) => {
    try {
      return a.parse(v, field);
    } catch {
      try {
        return b.parse(v, field);
      } catch {
        return fail(field, expected, v);
      }
    }
  });
}

export function arr<T>(of: Schema<T>, options: { max?: number } = {}): Schema<T[]> {
  const max = options.max ?? 10_000;
  const expected = `a list of at most ${max} items`;
  return schema(expected, (v, field) => {
    if (!Array.isArray(v) || v.length > max) fail(field, expected, v);
    return v.map((item, i) => of.parse(item, `${field}[${i}]`));
  });
}

export function tuple<const S extends readonly Schema<unknown>[]>(...of: S): Schema<{ -readonly [K in keyof S]: Infer<S[K]> }> {
  const expected = `a list of exactly ${of.length} items`;
  return schema(expected, (v, field) => {
    if (!Array.isArray(v) || v.length !== of.length) fail(field, expected, v);
    return of.map((s, i) => s.parse(v[i], `${field}[${i}]`)) as { -readonly [K in keyof S]: Infer<S[K]> };
  });
}

export function optional<T>(of: Schema<T>): OptionalSchema<T> {
  return { expected: of.expected, parse: of.parse, optional: true };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function join(field: string, key: string): string {
  return field ? `${field}.${key}` : key;
}

/** An object with exactly these properties: unknown ones are refused, by name. */
export function obj<P extends Props>(props: P): Schema<ObjectOf<P>> {
  const names = Object.keys(props);
  const expected = names.length ? `an object with ${names.join(', ')}` : 'an empty object';
  return schema(expected, (v, field) => {
    if (!isPlainObject(v)) fail(field || 'params', 'an object', v);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v)) {
      if (!Object.prototype.hasOwnProperty.call(props, key)) {
        throw new SchemaError(join(field, key), `is not a parameter here — expected only ${names.join(', ') || 'no parameters'}`);
      }
    }
    for (const key of names) {
      const s = props[key]!;
      const value = v[key];
      if (value === undefined) {
        if (s.optional) continue;
        throw new SchemaError(join(field, key), `is missing — it must be ${s.expected}`);
      }
      out[key] = s.parse(value, join(field, key));
    }
    return out as ObjectOf<P>;
  });
}

/** No parameters at all (`{}`), typed as the contract writes it. */
export function none(): Schema<Record<string, never>> {
  return obj({}) as Schema<Record<string, never>>;
}

/** An object used as a map (name → value), at most `max` entries. */
export function record<T>(of: Schema<T>, options: { max?: number } = {}): Schema<Record<string, T>> {
  const max = options.max ?? 1000;
  const expected = `an object of at most ${max} entries`;
  return schema(expected, (v, field) => {
    if (!isPlainObject(v) || Object.keys(v).length > max) fail(field, expected, v);
    const out: Record<string, T> = Object.create(null) as Record<string, T>;
    for (const [k, item] of Object.entries(v)) out[k] = of.parse(item, join(field, k));
    return out;
  });
}

/** Every property of an object schema made optional (the contract's `Partial<T>`). */
export function partial<P extends Props>(props: P): Schema<Partial<ObjectOf<P>>> {
  const loose = Object.fromEntries(Object.entries(props).map(([k, s]) => [k, s.optional ? s : optional(s as Schema<unknown>)]));
  return obj(loose) as unknown as Schema<Partial<ObjectOf<P>>>;
}
