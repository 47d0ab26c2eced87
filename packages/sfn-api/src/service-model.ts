// The parts of an AWS service model (botocore's JSON) that Lambent reads: operations, and shapes with
// their constraints.
export interface ShapeRef {
  shape: string;
}

export interface Shape {
  type: string;
  required?: string[];
  members?: Record<string, ShapeRef>;
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  exception?: boolean;
  sensitive?: boolean;
}

export interface Operation {
  name: string;
  input: ShapeRef;
  output?: ShapeRef;
  errors: ShapeRef[];
}

export interface ServiceModel {
  metadata: Record<string, unknown>;
  operations: Record<string, Operation>;
  shapes: Record<string, Shape>;
}
