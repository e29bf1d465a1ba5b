import type { Condition, ValueQueryCondition, WhereClause } from 'soql-parser-js';
import { malformedQuery } from '../errors.ts';

// soql-parser-js gives WHERE as a right-leaning chain of `left operator right` links with
// parenthesis counts on the conditions; this turns it back into a proper boolean expression tree.

export type Expr =
  | { kind: 'and' | 'or'; items: Expr[] }
  | { kind: 'not'; item: Expr }
  | { kind: 'condition'; condition: Condition | ValueQueryCondition };

type Token =
  | { type: '(' | ')' | 'NOT' | 'AND' | 'OR' }
  | { type: 'condition'; condition: Condition | ValueQueryCondition };

function isCondition(left: unknown): left is Condition | ValueQueryCondition {
  return typeof left === 'object' && left !== null && ('field' in left || 'fn' in left);
}

function tokenize(clause: WhereClause, out: Token[]): void {
  const left: unknown = clause.left;
  if (isCondition(left)) {
    const open = 'openParen' in left ? (left.openParen ?? 0) : 0;
    const close = 'closeParen' in left ? (left.closeParen ?? 0) : 0;
    for (let i = 0; i < open; i++) out.push({ type: '(' });
    out.push({ type: 'condition', condition: left });
    for (let i = 0; i < close; i++) out.push({ type: ')' });
  } else if (typeof left === 'object' && left !== null && 'openParen' in left) {
    const open = Number((left as { openParen?: number }).openParen ?? 0);
    for (let i = 0; i < open; i++) out.push({ type: '(' });
  }
  if ('operator' in clause && clause.operator !== undefined && 'right' in clause) {
    out.push({ type: clause.operator });
    tokenize(clause.right, out);
  }
}

/** Parses the WHERE chain into an expression: NOT binds tighter than AND, AND than OR. */
export function whereToExpr(where: WhereClause): Expr {
  const tokens: Token[] = [];
  tokenize(where, tokens);
  let position = 0;
  const peek = () => tokens[position];
  const fail = (): never => {
    throw malformedQuery('unexpected token in WHERE clause');
  };

  const parseOr = (): Expr => {
    const items = [parseAnd()];
    while (peek()?.type === 'OR') {
      position += 1;
      items.push(parseAnd());
    }
    return items.length === 1 ? (items[0] ?? fail()) : { kind: 'or', items };
  };
  const parseAnd = (): Expr => {
    const items = [parseNot()];
    while (peek()?.type === 'AND') {
      position += 1;
      items.push(parseNot());
    }
    return items.length === 1 ? (items[0] ?? fail()) : { kind: 'and', items };
  };
  const parseNot = (): Expr => {
    if (peek()?.type === 'NOT') {
      position += 1;
      return { kind: 'not', item: parseNot() };
    }
    return parsePrimary();
  };
  const parsePrimary = (): Expr => {
    const token = peek();
    if (token === undefined) return fail();
    position += 1;
    if (token.type === '(') {
      const inner = parseOr();
      if (peek()?.type !== ')') return fail();
      position += 1;
      return inner;
    }
    if (token.type === 'condition') return { kind: 'condition', condition: token.condition };
    return fail();
  };

  const expr = parseOr();
  if (position !== tokens.length) fail();
  return expr;
}
