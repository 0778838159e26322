/** docker-modem rejects with the HTTP status in `statusCode`. */
export function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number } | undefined)?.statusCode;
}
