/** A ```mermaid block of a finished answer, drawn as a diagram; its code while it is drawn, or with why it could not be. */
import { type ReactNode, useEffect, useState } from "react";

import { diagramError, drawDiagram } from "../../diagrams";
import { useDarkPage } from "../../hooks/useDarkPage";

interface Props {
  code: string;
  /** The block as code: shown until the diagram is drawn, and with the error when it cannot be. */
  children: ReactNode;
}

type Drawing = { code: string; dark: boolean } & ({ svg: string; error?: undefined } | { svg?: undefined; error: string });

/**
 * The SVG is shown as an image (a `data:` URL), never put into the page: an image's SVG runs no
 * script, follows no link and loads nothing, whatever mermaid let through. Drawn again when the
 * page turns dark or light.
 */
export function MermaidDiagram({ code, children }: Props) {
  const dark = useDarkPage();
  const [drawing, setDrawing] = useState<Drawing | null>(null);

  useEffect(() => {
    let current = true;
    drawDiagram(code, dark).then(
      (svg) => current && setDrawing({ code, dark, svg }),
      (error: unknown) => current && setDrawing({ code, dark, error: diagramError(error) }),
    );
    return () => {
      current = false;
    };
  }, [code, dark]);

  // A drawing in the other theme stays up until the new one is ready; one of other code does not.
  const shown = drawing?.code === code ? drawing : null;
  if (shown?.svg !== undefined) {
    return (
      <figure className="mermaid-diagram" data-testid="mermaid-diagram" data-theme={shown.dark ? "dark" : "light"}>
        <img src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(shown.svg)}`} alt={altOf(code)} width={widthOf(shown.svg)} />
        <details>
          <summary>Diagram code</summary>
          {children}
        </details>
      </figure>
    );
  }
  return (
    <div className="mermaid-pending" data-testid={shown ? "mermaid-error" : "mermaid-pending"}>
      {children}
      {shown ? (
        <p className="note" role="note">
          {shown.error}
        </p>
      ) : null}
    </div>
  );
}

/** The diagram's own width: mermaid sizes its SVG as 100% wide up to that, so a small diagram would fill the answer. */
function widthOf(svg: string): number | undefined {
  const width = /^<svg[^>]*?max-width:\s*([\d.]+)px/.exec(svg)?.[1];
  return width ? Math.ceil(Number(width)) : undefined;
}

/** What a screen reader says for the picture: its accessible title when the code gives one. */
function altOf(code: string): string {
  const title = /^\s*(?:accTitle\s*:|title\s)\s*(.+)$/m.exec(code)?.[1]?.trim();
  return title ? `Diagram: ${title}` : "Diagram (its code is below)";
}
