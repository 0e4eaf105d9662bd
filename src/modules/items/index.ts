export * from './items.schemas.js';
export { exportItems, type ExportOptions, getItem, itemContent, listItems, decodeFeatures, float32ToNumber, type ItemsDeps } from './items.service.js';
export { importItems, discardImport, type ImportOptions, type ImportSummary, type OnError } from './import/import.service.js';
export { IMPORT_FORMATS, formatFromName, type ImportFormat } from './import/sources.js';
export { parseLabelValue } from './import/record.js';
export { importRecordSchema } from './import/record-schema.js';
export { registerImportJob, recoverImports, importJobParamsSchema, type ImportJobParams } from './import/import.job.js';
