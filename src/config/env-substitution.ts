/**
 * `${VAR}` / `${VAR:-default}` references in config strings (SPEC §2).
 *
 * Rules, kept deliberately simple:
 * - `VAR` is `[A-Za-z_][A-Za-z0-9_]*`.
 * - `${VAR}`: the variable's value; a variable that is not set is reported in `missing` (it is
 *   replaced by the empty string). A variable set to the empty string is used as such.
 * - `${VAR:-default}`: the variable's value when it is set and not empty, otherwise `default`
 *   (as in the shell). `default` may be empty and may not contain `}`; it is used literally
 *   (no nested references).
 * - A `${` that does not start a well-formed reference (bad name, no closing `}`) is left as it is
 *   and reported in `malformed`. There is no escape syntax: `$${` is not special.
 *
 * Substitution is applied to the string scalar values of the *parsed* YAML tree
 * ({@link substituteTree}), never to the raw text nor to mapping keys, so a value coming from the
 * environment can never inject YAML structure, and problems carry the path of the value.
 */
export interface SubstitutionResult {
  value: string;
  /** variables referenced without default that are not set */
  missing: string[];
  /** variables whose `:-default` was used */
  usedDefaults: string[];
  /** `${…}` fragments that are not well-formed references (left unchanged) */
  malformed: string[];
}

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/y;

export function substituteEnv(text: string, env: Record<string, string | undefined>): SubstitutionResult {
  const missing: string[] = [];
  const usedDefaults: string[] = [];
  const malformed: string[] = [];
  let out = '';
  let i = 0;
  while (i < text.length) {
    const at = text.indexOf('${', i);
    if (at < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, at);
    REFERENCE.lastIndex = at;
    const match = REFERENCE.exec(text);
    if (!match) {
      const close = text.indexOf('}', at);
      malformed.push(close < 0 ? text.slice(at, at + 20) : text.slice(at, Math.min(close + 1, at + 40)));
      out += '${';
      i = at + 2;
      continue;
    }
    const [whole, name, fallback] = match;
    const value = env[name];
    if (fallback !== undefined) {
      if (value === undefined || value === '') {
        out += fallback;
        usedDefaults.push(name);
      } else {
        out += value;
      }
    } else if (value === undefined) {
      missing.push(name);
    } else {
      out += value;
    }
    i = at + whole.length;
  }
  return { value: out, missing, usedDefaults, malformed };
}

export type PathSegment = string | number;

export interface TreeSubstitution {
  /** the tree with every string value substituted */
  value: unknown;
  /** one entry per problem, with the path of the offending value */
  problems: Array<{ path: PathSegment[]; message: string }>;
  /** paths whose value used a `:-default` (with the variable names) */
  defaults: Array<{ path: PathSegment[]; variables: string[] }>;
  /** values produced by substitution (for scrubbing secrets out of messages) */
  substituted: string[];
}

/** Walks a parsed YAML value and substitutes every string scalar (not mapping keys). */
export function substituteTree(root: unknown, env: Record<string, string | undefined>): TreeSubstitution {
  const result: TreeSubstitution = { value: undefined, problems: [], defaults: [], substituted: [] };
  // a YAML alias may refer to a node that contains it (`a: &a {b: *a}`): a circular value
  const ancestors = new Set<unknown>();
  const walk = (node: unknown, path: PathSegment[]): unknown => {
    if (node !== null && typeof node === 'object') {
      if (ancestors.has(node)) {
        result.problems.push({ path, message: 'a YAML alias refers to a node that contains it (a circular value)' });
        return null;
      }
      ancestors.add(node);
      try {
        return walkObject(node, path);
      } finally {
        ancestors.delete(node);
      }
    }
    if (typeof node === 'string') {
      if (!node.includes('${')) return node;
      const sub = substituteEnv(node, env);
      for (const name of sub.missing) {
        result.problems.push({ path, message: `environment variable ${name} is not set` });
      }
      for (const fragment of sub.malformed) {
        result.problems.push({
          path,
          message: `malformed environment reference "${fragment}" (expected \${VAR} or \${VAR:-default})`,
        });
      }
      if (sub.usedDefaults.length > 0) result.defaults.push({ path, variables: sub.usedDefaults });
      if (sub.value !== node) result.substituted.push(sub.value);
      return sub.value;
    }
    return node;
  };
  const walkObject = (node: object, path: PathSegment[]): unknown => {
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...path, index]));
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      // defineProperty: a `__proto__` key stays a plain key
      Object.defineProperty(out, key, { value: walk(value, [...path, key]), enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  result.value = walk(root, []);
  return result;
}
