/** The last segment of a path, for either separator (paths come from Windows, macOS and Linux). */
export function fileName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}
