// Aliases: a name for one version of a function, optionally sending a share of its traffic to one more.

/** Extra versions and their share of the alias's traffic, such as `{"4": 0.1}`; `{}` clears it. */
export interface AliasRoutingConfiguration {
  AdditionalVersionWeights: Record<string, number>;
}

/** Lambda's AliasConfiguration. */
export interface AliasConfiguration {
  AliasArn: string;
  Name: string;
  FunctionVersion: string;
  Description: string;
  /** Traffic shifted to one more version: `{ "4": 0.1 }` sends 10% to version 4. */
  RoutingConfig?: AliasRoutingConfiguration;
  RevisionId: string;
  /** Lambent's addition: the version the alias pointed at before its last move, for one-step rollback. */
  PreviousVersion?: string;
}

export interface ListAliasesResponse {
  Aliases: AliasConfiguration[];
  NextMarker?: string;
}

export interface CreateAliasRequest {
  Name: string;
  FunctionVersion: string;
  Description?: string;
  RoutingConfig?: AliasRoutingConfiguration;
}

export interface UpdateAliasRequest {
  FunctionVersion?: string;
  Description?: string;
  RoutingConfig?: AliasRoutingConfiguration;
  RevisionId?: string;
}
