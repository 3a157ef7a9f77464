import { describe, expect, it } from "vitest";
import { cleanParagraphs, cleanReferenceText, isCodeLine, isTableLine, joinWrapped, splitSections } from "../../../scripts/demo-model/cleanReferenceText.mjs";

// The demo model's corpus cleaning (scripts/demo-model): small inline samples shaped like the Debian
// manuals' text dumps, with the indentation and no-break spaces they really have.
const manual = [
  "Table of Contents",
  "",
  "1. GNU/Linux tutorials",
  "    1.1. Console basics",
  "        1.1.1. The shell prompt",
  "",
  "1.1.\u00a0Console basics",
  "",
  "1.1.1.\u00a0The shell prompt",
  "",
  "    Upon starting the system, you are presented with the character",
  "\u00a0 \u00a0 \u00a0 based login screen if you did not install any GUI environment",
  "    such as GNOME or KDE desktop system.",
  "",
  "    $ man bash",
  "    $ man builtins",
  "",
  "    Note",
  "",
  "    Table\u00a01.1. List of interesting text-mode program packages",
  "",
  "    +---------------------------------------------------------------+",
  "    |package |popcon|size|description                              |",
  "    |--------+------+----+-----------------------------------------|",
  "    |mc      |V:50  |236 |A text-mode full-screen file manager     |",
  "    +---------------------------------------------------------------+",
  "",
  "    The files are kept in /usr/share/doc/ and in the folder",
  "    /etc/apt/sources.list.d/ of the system, which you can read.",
  "",
  "1.1.2.\u00a0The shell prompt under GUI",
  "",
  "    If you installed a GUI environment during the installation, you",
  "    are presented with the graphical login screen upon starting.",
  "",
  "    /usr/share/doc/",
  "    /etc/apt/",
  "",
].join("\n");

describe("cleanReferenceText", () => {
  it("makes one document per numbered section holding prose, tables, listings and contents dropped", () => {
    const docs = cleanReferenceText(manual, "en");
    expect(docs.map((d) => d.title)).toEqual(["1.1.1. The shell prompt", "1.1.2. The shell prompt under GUI"]);
    expect(docs[0]!.text).toBe(
      "Upon starting the system, you are presented with the character based login screen if you did not install any GUI environment such as GNOME or KDE desktop system.\n" +
        "The files are kept in /usr/share/doc/ and in the folder /etc/apt/sources.list.d/ of the system, which you can read.",
    );
    expect(docs[1]!.text).toBe("If you installed a GUI environment during the installation, you are presented with the graphical login screen upon starting.");
    const all = docs.map((d) => d.text).join("\n");
    for (const gone of ["man bash", "popcon", "+---", "Note", "Table", "List of interesting"]) expect(all).not.toContain(gone);
  });

  it("splits at numbered headings at the start of a line only", () => {
    const sections = splitSections("intro\n2.3. Heading one\n    body\n    2.4. an indented number\n2.3.1. Heading two\nmore\n");
    expect(sections).toEqual([
      { heading: "2.3. Heading one", body: "    body\n    2.4. an indented number" },
      { heading: "2.3.1. Heading two", body: "more\n" },
    ]);
  });

  it("joins wrapped lines with spaces, but not inside CJK text, after a path's slash or a broken hyphenated word", () => {
    expect(joinWrapped(["    one two", "  three"])).toBe("one two three");
    expect(joinWrapped(["安装软件包 apt-listbugs 可以避免您的系", "统遭遇严重 bugs。"])).toBe("安装软件包 apt-listbugs 可以避免您的系统遭遇严重 bugs。");
    expect(joinWrapped(['a script in "/', 'etc/ppp/ip-up.d/" and a pseudo-', "package"])).toBe('a script in "/etc/ppp/ip-up.d/" and a pseudo-package');
  });

  it("tells table and code lines from prose", () => {
    expect(isTableLine("    |--------+------+----|")).toBe(true);
    expect(isTableLine("    +-----------------+")).toBe(true);
    expect(isTableLine("    |mc      |V:50  |236 |A file manager |")).toBe(true);
    expect(isTableLine("    ┌──────┐")).toBe(true);
    expect(isTableLine("    The pipe | sends output onwards.")).toBe(false);
    expect(isCodeLine("    $ sudo apt-get update")).toBe(true);
    expect(isCodeLine("    foo:~$ ls")).toBe(true);
    expect(isCodeLine("   dists/stable/contrib/binary-amd64/")).toBe(true);
    expect(isCodeLine("        ...")).toBe(true);
    expect(isCodeLine("    Please read the manual page of the command.")).toBe(false);
  });

  it("drops paragraphs left untranslated: another script, or more English function words than the language's own", () => {
    const body = [
      "Каждый пакет из основного раздела должен полностью соответствовать критериям Debian.",
      "",
      "This paragraph of the Russian manual was never translated into Russian at all.",
      "",
      "Jedes Paket im Hauptbereich muss den Richtlinien von Debian vollständig entsprechen, und das ist wichtig.",
    ].join("\n");
    expect(cleanParagraphs(body, "ru")).toEqual(["Каждый пакет из основного раздела должен полностью соответствовать критериям Debian."]);
    expect(cleanParagraphs(body, "de")).toEqual(["Jedes Paket im Hauptbereich muss den Richtlinien von Debian vollständig entsprechen, und das ist wichtig."]);
    expect(cleanParagraphs("The system is in a state that you can use for the work of the day.\n\nDas System ist bereit und die Arbeit kann mit dem Paket beginnen, wenn Sie wollen.", "de")).toEqual([
      "Das System ist bereit und die Arbeit kann mit dem Paket beginnen, wenn Sie wollen.",
    ]);
  });
});
