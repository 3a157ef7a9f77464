// Types of cleanReferenceText.mjs, for the tests that import it.
export declare const cleaningVersion: number;
export declare function isTableLine(line: string): boolean;
export declare function isCodeLine(line: string): boolean;
export declare function splitSections(text: string): { heading: string; body: string }[];
export declare function joinWrapped(lines: readonly string[]): string;
export declare function cleanParagraphs(body: string, lang: string): string[];
export declare function cleanReferenceText(text: string, lang: string): { title: string; text: string }[];
