// The environment a config reader is given: variable names to values, as in `process.env`.

export type Environment = Readonly<Record<string, string | undefined>>;
