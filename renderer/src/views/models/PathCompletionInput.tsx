import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import type { CallOutput } from "../../../../electron/shared/contract.js";
import { useAppStore } from "../../store/AppStoreProvider.js";

type Completion = CallOutput<"files.complete">[number];

const pause = 150;

/**
 * The path field with completion: after a pause in typing it asks the engine ("files.complete") for the
 * folders and .gguf files that continue the path and lists them under the field (an ARIA combobox).
 * Arrow keys choose, Tab or Enter accept, Escape closes; accepting a folder goes on completing inside it.
 */
export function PathCompletionInput({
  id,
  value,
  onChange,
  describedBy,
  placeholder,
  autoFocus,
  label,
  kind = "gguf",
}: {
  id: string;
  value: string;
  onChange: (value: string) => void;
  describedBy: string;
  placeholder: string;
  autoFocus: boolean;
  label: string;
  /** "gguf": folders and models; "any": folders and every file (data files). */
  kind?: "gguf" | "any";
}) {
  const api = useAppStore((st) => st.api);
  const connected = useAppStore((st) => st.connection.status === "open");
  const [options, setOptions] = useState<Completion[]>([]);
  const [active, setActive] = useState(-1);
  const [open, setOpen] = useState(false);
  // Completions are asked for on typing only, not when a value is set by accepting one… except a folder.
  const [wanted, setWanted] = useState<string | null>(null);
  const listId = useId();
  const asked = useRef(0);

  useEffect(() => {
    if (wanted === null || !connected || !/[\\/]/.test(wanted)) {
      setOptions([]);
      return;
    }
    const ticket = ++asked.current;
    const timer = setTimeout(() => {
      api
        .call("files.complete", { path: wanted, kind })
        .then((found) => {
          if (ticket !== asked.current) return;
          // The one entry that is exactly what was typed has nothing left to complete.
          const rest = found.filter((entry) => entry.path !== wanted);
          setOptions(rest);
          setActive(rest.length ? 0 : -1);
          setOpen(rest.length > 0);
        })
        .catch(() => {
          if (ticket === asked.current) setOptions([]);
        });
    }, pause);
    return () => clearTimeout(timer);
  }, [wanted, api, connected, kind]);

  const accept = (entry: Completion) => {
    onChange(entry.path);
    setOpen(false);
    setActive(-1);
    setWanted(entry.isDirectory ? entry.path : null);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    const showing = open && options.length > 0;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!options.length) return;
      event.preventDefault();
      setOpen(true);
      const step = event.key === "ArrowDown" ? 1 : -1;
      setActive((current) => (current + step + options.length) % options.length);
    } else if ((event.key === "Tab" || event.key === "Enter") && showing && active >= 0 && !event.shiftKey) {
      event.preventDefault();
      accept(options[active]!);
    } else if (event.key === "Escape" && showing) {
      event.preventDefault();
      setOpen(false);
    }
  };

  const showing = open && options.length > 0;
  const optionId = (index: number) => `${listId}-${index}`;
  return (
    <div className="path-combobox">
      <input
        id={id}
        type="text"
        className="mono"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={showing}
        aria-controls={listId}
        aria-activedescendant={showing && active >= 0 ? optionId(active) : undefined}
        value={value}
        spellCheck={false}
        autoComplete="off"
        placeholder={placeholder}
        aria-describedby={describedBy}
        autoFocus={autoFocus}
        onChange={(e) => {
          onChange(e.target.value);
          setWanted(e.target.value);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setOpen(false)}
      />
      <ul id={listId} role="listbox" aria-label={label} className="path-options" hidden={!showing}>
        {options.map((entry, index) => (
          <li
            key={entry.path}
            id={optionId(index)}
            role="option"
            aria-selected={index === active}
            className={index === active ? "mono active" : "mono"}
            // mousedown, not click: the field's blur would close the list before a click lands.
            onMouseDown={(event) => {
              event.preventDefault();
              accept(entry);
            }}
          >
            {entry.path}
          </li>
        ))}
      </ul>
    </div>
  );
}
