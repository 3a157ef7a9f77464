// Text put into the HTML files Polytune writes (reports, the standalone comparison): the five characters
// HTML gives meaning to, as numeric references, so a name can never open a tag or close an attribute.

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
