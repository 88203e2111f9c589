// Example calls as messages show them: `modify_order {"modify_order_op": "CANCEL"}`. The
// arguments are exactly those the enforcer decided (only the paths some condition or probe reads);
// any other argument leaves the decision as it is.

import type { Condition } from '../model/condition.js';
import type { JsonValue } from '../model/json.js';

/** A JSON value on one line, with a space after `:` and `,` as people write it. */
export function jsonText(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(jsonText).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}: ${jsonText(item)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value);
}

/** `tool {args}` */
export function callText(tool: string, args: JsonValue): string {
  return `${tool} ${jsonText(args)}`;
}

/** A condition as the DSL writes it: `modify_order_op in ["CANCEL", "DELETE"]`. */
export function conditionText(condition: Condition, nested = false): string {
  if ('and' in condition || 'or' in condition) {
    const [operator, operands] = 'and' in condition ? ['and', condition.and] : ['or', condition.or];
    const text = operands.map((operand) => conditionText(operand, true)).join(` ${operator} `);
    return nested ? `(${text})` : text;
  }
  if ('not' in condition) return `not ${conditionText(condition.not, true)}`;
  const path = condition.path.join('.');
  switch (condition.op) {
    case 'exists':
      return `${path} exists`;
    case 'in':
      return `${path} in ${jsonText(condition.value)}`;
    case 'not_in':
      return `${path} not in ${jsonText(condition.value)}`;
    case 'matches':
      return `${path} matches ${JSON.stringify(condition.value)}`;
    default:
      return `${path} ${condition.op} ${jsonText(condition.value)}`;
  }
}
