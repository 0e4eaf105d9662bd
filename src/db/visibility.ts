/**
 * Rows an import writes stay invisible until the import commits. Every query that
 * shows items or annotations filters with these predicates. After a commit the
 * finalizer clears `pending_import_id`, so the common case is the cheap IS NULL test.
 */
function visibleSql(alias: string): string {
  return `(${alias}.pending_import_id IS NULL OR ${alias}.pending_import_id IN (SELECT id FROM imports WHERE state = 'committed'))`;
}

export const visibleItemSql = visibleSql;
export const visibleAnnotationSql = visibleSql;
