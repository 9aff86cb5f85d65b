/** OpenAPI paths of the broadcasts screens' endpoints, merged into the admin API's document (openapi.ts). */
export const broadcastsPaths: Record<string, object> = {};
