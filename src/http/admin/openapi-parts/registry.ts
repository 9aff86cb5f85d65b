/** OpenAPI paths of the registry screens' endpoints, merged into the admin API's document (openapi.ts). */
export const registryPaths: Record<string, object> = {};
