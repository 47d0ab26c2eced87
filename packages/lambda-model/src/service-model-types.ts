// The structure of a botocore service model (JSON): operations with their HTTP bindings, and shapes with
// their members and constraints. Only what Lambent reads is typed; the rest passes through.

export type ShapeType = "structure" | "string" | "integer" | "long" | "double" | "float" | "boolean" | "blob" | "timestamp" | "list" | "map";

/** Where a member travels in a REST request or answer; absent: the JSON body. */
export type MemberLocation = "uri" | "querystring" | "header" | "headers" | "statusCode";

export interface MemberModel {
  shape: string;
  location?: MemberLocation;
  /** The name on the wire where it differs from the member's (a path label, query key or header). */
  locationName?: string;
  [extra: string]: unknown;
}

export interface ShapeModel {
  type: ShapeType;
  required?: string[];
  members?: Record<string, MemberModel>;
  /** A list's element. */
  member?: MemberModel;
  /** A map's keys and values. */
  key?: MemberModel;
  value?: MemberModel;
  /** Length of a string, list, map or blob; value of a number. */
  min?: number;
  max?: number;
  /** A Java regular expression the whole value must match. */
  pattern?: string;
  enum?: string[];
  /** An error shape: its members are the fields of the error's JSON body. */
  exception?: boolean;
  error?: { httpStatusCode: number; senderFault?: boolean };
  fault?: boolean;
  [extra: string]: unknown;
}

export interface OperationModel {
  name: string;
  http: { method: string; requestUri: string; responseCode?: number };
  input?: { shape: string };
  output?: { shape: string };
  errors?: { shape: string }[];
  [extra: string]: unknown;
}

export interface ServiceModel<Operation extends string = string> {
  version: string;
  metadata: Record<string, unknown>;
  operations: Record<Operation, OperationModel>;
  shapes: Record<string, ShapeModel>;
}
