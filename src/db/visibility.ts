/**
 * Rows an import writes carry its id and stay invisible until it commits. Every
 * query that shows items or annotations filters with these predicates. The set of
 * uncommitted imports is almost always empty, so SQLite builds it once per
 * statement and the test costs one lookup per row, without steering the planner
 * away from the real indexes (an `OR` here did, and made page queries scan).
 */
function visibleSql(alias: string): string {
  return `coalesce(${alias}.import_id, 0) NOT IN (SELECT id FROM imports WHERE state <> 'committed')`;
}

export const visibleItemSql = visibleSql;
export const visibleAnnotationSql = visibleSql;
