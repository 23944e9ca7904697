/** Environment variables as the library reads them (API keys, hosts): `process.env` or any plain object. */
export type Environment = Readonly<Record<string, string | undefined>>;
