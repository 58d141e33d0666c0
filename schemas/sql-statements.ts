/**
 * Splits a .sql file into statements on top-level semicolons, skipping ones inside quotes and comments, so a
 * migration can hold several statements (a table and its materialized view) and run them one by one; and reads the
 * one kind of statement several modules must recognise, a DROP.
 */

/** Statements without their trailing ';', trimmed; comment-only pieces are dropped. */
export function splitSqlStatements(text: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '-' && next === '-') {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end + 1;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      i = skipQuoted(text, i, c);
    } else if (c === ';') {
      pushStatement(statements, text.slice(start, i));
      start = i + 1;
      i++;
    } else {
      i++;
    }
  }
  pushStatement(statements, text.slice(start));
  return statements;
}

/** Index just past the closing quote; backslash escapes and doubled quotes both stay inside the literal. */
function skipQuoted(text: string, open: number, quote: string): number {
  let i = open + 1;
  while (i < text.length) {
    if (text[i] === '\\') i += 2;
    else if (text[i] === quote && text[i + 1] === quote) i += 2;
    else if (text[i] === quote) return i + 1;
    else i++;
  }
  return text.length;
}

function pushStatement(statements: string[], piece: string): void {
  const trimmed = piece.trim();
  if (stripComments(trimmed).trim() !== '') statements.push(trimmed);
}

/** Removes `-- …` line comments (outside quotes is enough here: only used to test for an empty piece). */
function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}

/** The statement without the `-- …` lines before it, trimmed: what the readers of a statement's kind look at. */
export function withoutLeadingComments(statement: string): string {
  return statement.replace(/^(\s*--[^\n]*\n)+/, '').trim();
}

/** `DROP VIEW|TABLE [IF EXISTS] name …`: a migration retiring a view or a table. */
export interface DropStatement {
  readonly kind: 'VIEW' | 'TABLE';
  readonly ifExists: boolean;
  readonly name: string;
  /** What follows the name (e.g. `SYNC`), trimmed; '' for none. */
  readonly rest: string;
}

const DROP_RE = /^\s*DROP\s+(VIEW|TABLE)\s+(IF\s+EXISTS\s+)?`?([A-Za-z_][A-Za-z0-9_]*)`?([\s\S]*)$/i;

/** The DROP a statement (comments already stripped) makes, or undefined when it is another statement. */
export function parseDrop(statement: string): DropStatement | undefined {
  const match = DROP_RE.exec(statement);
  if (!match) return undefined;
  const [, kind, ifExists, name, rest] = match;
  return { kind: kind.toUpperCase() as 'VIEW' | 'TABLE', ifExists: ifExists !== undefined, name, rest: rest.trim() };
}
