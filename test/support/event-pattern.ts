/**
 * Offline checks of the EventBridge event patterns and CloudWatch metric-math alarms the
 * constructs synthesize, against sample events and sample metric series.
 *
 * The pattern matcher follows the semantics EventBridge documents
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html):
 * every field of a pattern must match, a field matches if any of its values matches,
 * `$or` matches if any branch does, and arrays in the event are flattened: the values of
 * `containers.exitCode` are the exit codes of all containers together. It implements only
 * the operators the constructs use (literal, prefix, anything-but, exists). It never pairs
 * two fields of the same array element, which EventBridge does not promise either.
 */

/** Whether `event` matches `pattern` (both plain JSON, the pattern with intrinsics resolved). */
export function matchesEventPattern(pattern: Record<string, any>, event: Record<string, any>): boolean {
  return matchObject(pattern, [event]);
}

function matchObject(pattern: Record<string, any>, nodes: any[]): boolean {
  return Object.entries(pattern).every(([key, value]) => {
    if (key === '$or') {
      return (value as Record<string, any>[]).some((branch) => matchObject(branch, nodes));
    }
    const children = nodes.flatMap((node) => flatten(node?.[key]));
    if (Array.isArray(value)) {
      return value.some((matcher) => matchLeaf(matcher, children));
    }
    return matchObject(value, children.filter((c) => c !== null && typeof c === 'object'));
  });
}

function flatten(value: unknown): unknown[] {
  if (value === undefined) {
    return [];
  }
  return Array.isArray(value) ? value.flatMap(flatten) : [value];
}

function matchLeaf(matcher: unknown, values: unknown[]): boolean {
  if (matcher === null || typeof matcher !== 'object') {
    return values.some((v) => v === matcher);
  }
  const [[operator, operand]] = Object.entries(matcher as Record<string, unknown>);
  switch (operator) {
    case 'exists':
      return (values.length > 0) === operand;
    case 'prefix':
      return values.some((v) => typeof v === 'string' && v.startsWith(operand as string));
    case 'anything-but': {
      const excluded = Array.isArray(operand) ? operand : [operand];
      return values.some((v) => !excluded.includes(v));
    }
    default:
      throw new Error(`operator ${operator} is not implemented by this matcher`);
  }
}

/** Values for the CloudFormation intrinsics a synthesized pattern uses. */
export interface IntrinsicValues {
  /** `{ Ref: X }` and `{ 'Fn::GetAtt': [X, Y] }` by `X` or `X.Y`. */
  readonly [name: string]: string;
}

/** `json` with every `Ref`, `Fn::GetAtt` and `Fn::Join` replaced by its value. */
export function resolveIntrinsics(json: any, values: IntrinsicValues): any {
  if (Array.isArray(json)) {
    return json.map((item) => resolveIntrinsics(item, values));
  }
  if (json === null || typeof json !== 'object') {
    return json;
  }
  if (json.Ref !== undefined) {
    return lookUp(values, json.Ref);
  }
  if (json['Fn::GetAtt']) {
    return lookUp(values, json['Fn::GetAtt'].join('.'));
  }
  if (json['Fn::Join']) {
    const [separator, parts] = json['Fn::Join'];
    return parts.map((p: any) => resolveIntrinsics(p, values)).join(separator);
  }
  return Object.fromEntries(Object.entries(json).map(([k, v]) => [k, resolveIntrinsics(v, values)]));
}

function lookUp(values: IntrinsicValues, name: string): string {
  const value = values[name];
  if (value === undefined) {
    throw new Error(`no value given for ${name}`);
  }
  return value;
}

/**
 * The values, one per period, of the alarm's metric-math expression (the query with
 * `ReturnData: true`), given the series of its metrics by query id (`undefined` where a
 * metric has no datapoint in a period, as CloudWatch leaves it). Implements what the
 * constructs use: numbers, ids, `+ - *`, parentheses, `FILL(x, n)` and `RUNNING_SUM(x)`.
 */
export function evaluateAlarmMath(metrics: any[], series: Record<string, Array<number | undefined>>): Array<number | undefined> {
  const queries = new Map<string, any>(metrics.map((m) => [m.Id, m]));
  const length = Math.max(...Object.values(series).map((s) => s.length));
  const cache = new Map<string, Array<number | undefined>>();
  const valueOf = (id: string): Array<number | undefined> => {
    if (!cache.has(id)) {
      const query = queries.get(id);
      if (!query) {
        throw new Error(`unknown metric id ${id}`);
      }
      cache.set(id, query.Expression ? evaluate(query.Expression, valueOf, length) : padded(series[id] ?? [], length));
    }
    return cache.get(id)!;
  };
  return valueOf(metrics.find((m) => m.ReturnData !== false).Id);
}

type Series = Array<number | undefined>;

function padded(values: Series, length: number): Series {
  return Array.from({ length }, (_, i) => values[i]);
}

function evaluate(expression: string, valueOf: (id: string) => Series, length: number): Series {
  const tokens = expression.match(/[A-Za-z_][A-Za-z0-9_]*|\d+(\.\d+)?|[()+\-*,]/g) ?? [];
  let pos = 0;
  const peek = () => tokens[pos];
  const take = (expected?: string) => {
    const token = tokens[pos++];
    if (expected !== undefined && token !== expected) {
      throw new Error(`expected ${expected} at ${pos} in ${expression}, got ${token}`);
    }
    return token;
  };
  const combine = (a: Series, b: Series, op: (x: number, y: number) => number): Series =>
    a.map((x, i) => (x === undefined || b[i] === undefined ? undefined : op(x, b[i]!)));
  const primary = (): Series => {
    const token = take();
    if (token === '(') {
      const inner = sum();
      take(')');
      return inner;
    }
    if (/^\d/.test(token)) {
      return Array(length).fill(Number(token));
    }
    if (peek() === '(') {
      take('(');
      const args = [sum()];
      while (peek() === ',') {
        take(',');
        args.push(sum());
      }
      take(')');
      if (token === 'FILL') {
        return args[0].map((x, i) => x ?? args[1][i]);
      }
      if (token === 'RUNNING_SUM') {
        let total = 0;
        return args[0].map((x) => (total += x ?? 0));
      }
      throw new Error(`function ${token} is not implemented`);
    }
    return valueOf(token);
  };
  const product = (): Series => {
    let left = primary();
    while (peek() === '*') {
      take();
      left = combine(left, primary(), (x, y) => x * y);
    }
    return left;
  };
  const sum = (): Series => {
    let left = product();
    while (peek() === '+' || peek() === '-') {
      const op = take();
      left = combine(left, product(), op === '+' ? (x, y) => x + y : (x, y) => x - y);
    }
    return left;
  };
  const result = sum();
  if (pos !== tokens.length) {
    throw new Error(`unexpected ${peek()} in ${expression}`);
  }
  return result;
}
