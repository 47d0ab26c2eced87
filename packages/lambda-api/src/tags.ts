// Tags: labels on a function, shared by its versions and aliases.

export interface ListTagsResponse {
  Tags: Record<string, string>;
}

/** TagResource's body; UntagResource names the keys in its query (`tagKeys`). */
export interface TagResourceRequest {
  Tags: Record<string, string>;
}
