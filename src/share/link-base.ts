// Where `--link` points by default, apart from the link code itself: the CLI names it in its help
// without loading the code that spells a link.

/** Where `--link` points by default: the playground's page relative to the repository root. */
export const DEFAULT_LINK_BASE = 'web/index.html';
