// A Bulk API 2.0 ingest job as the org keeps it.

export const ingestOperations = ['insert', 'update', 'upsert', 'delete', 'hardDelete'] as const;
export type IngestOperation = (typeof ingestOperations)[number];

export type BulkJobState =
  | 'Open'
  | 'UploadComplete'
  | 'InProgress'
  | 'JobComplete'
  | 'Aborted'
  | 'Failed';

export type BulkJob = {
  id: string;
  object: string;
  operation: IngestOperation;
  externalIdFieldName: string | undefined;
  columnDelimiter: string;
  lineEnding: 'LF' | 'CRLF';
  state: BulkJobState;
  createdById: string;
  createdDate: number;
  systemModstamp: number;
  /** The `client` of `Sforce-Call-Options` when the job was created. */
  client: string | null;
  apiVersion: string;
  /** The uploaded CSV, until processed. */
  data: string | undefined;
  header: string[];
  successful: string[][];
  failed: string[][];
  unprocessed: string[][];
  processedAt: number | undefined;
  errorMessage: string | undefined;
};
