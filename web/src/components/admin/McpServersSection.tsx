/** The admin page's MCP servers: each with its status and tools, a refresh and a delete; and a form
 * that registers one over Streamable HTTP (a URL and its headers) or as a command the workers start. */
import { useState } from "react";

import { useAction } from "../../hooks/useAction";
import { useMcpServers } from "../../hooks/useMcpServers";
import type { McpServer, NewMcpServer } from "../../types";
import { Field, FormError, submitted } from "../shared/Field";

/** `Name: value` (or `NAME=value`) lines as a map; the number of the first line without a name, for the sentence. */
export function parsePairs(text: string, separator: ":" | "="): Record<string, string> | number {
  const pairs: Record<string, string> = {};
  const lines = text.split("\n");
  for (const [index, line] of lines.entries()) {
    if (!line.trim()) continue;
    const at = line.indexOf(separator);
    if (at <= 0) return index + 1;
    pairs[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return pairs;
}

const STATUS: Record<string, string> = { ok: "Connected", unreachable: "Unreachable", unknown: "Listing tools…" };

function ServerRow({ server, busy, onRefresh, onDelete }: { server: McpServer; busy: boolean; onRefresh: () => void; onDelete: () => void }) {
  return (
    <li className="mcp-server" data-testid="mcp-server" data-name={server.name} data-status={server.status}>
      <div className="mcp-server-head">
        <strong>{server.name}</strong>
        <span className={`badge status-${server.status}`} data-testid="mcp-status">
          {STATUS[server.status] ?? server.status}
        </span>
        <span className="hint">{server.url ?? [server.command, ...(server.args ?? [])].join(" ")}</span>
        {server.has_secrets ? <span className="hint">· secrets kept sealed</span> : null}
      </div>
      {server.status === "unreachable" && server.status_detail ? (
        <p className="form-error" data-testid="mcp-status-detail">
          {server.status_detail}
        </p>
      ) : null}
      {server.tools.length ? (
        <ul className="mcp-tools" aria-label={`Tools of ${server.name}`}>
          {server.tools.map((tool) => (
            <li key={tool.name} data-testid="mcp-tool" title={tool.description}>
              <code>{tool.name}</code> <span className="hint">{tool.description}</span>
            </li>
          ))}
        </ul>
      ) : null}
      <div className="row-actions">
        <button type="button" className="icon-button" disabled={busy} onClick={onRefresh} data-testid="mcp-refresh">
          Connect and list tools
        </button>
        <button type="button" className="icon-button danger" disabled={busy} onClick={onDelete} data-testid="mcp-delete">
          Delete
        </button>
      </div>
    </li>
  );
}

function RegisterForm({ onRegister }: { onRegister: (server: NewMcpServer) => Promise<void> }) {
  const [transport, setTransport] = useState<"http" | "stdio">("http");
  const [formError, setFormError] = useState<string | null>(null);
  const register = useAction(async (server: NewMcpServer, form: HTMLFormElement) => {
    await onRegister(server);
    form.reset();
  });
  return (
    <form
      className="stacked-form"
      data-testid="mcp-form"
      onSubmit={(event) => {
        const form = event.currentTarget;
        const field = submitted(event);
        const secrets = parsePairs(field("secrets"), transport === "http" ? ":" : "=");
        if (typeof secrets === "number") {
          setFormError(`Line ${secrets} of the ${transport === "http" ? "headers" : "environment"} needs a name before its value.`);
          return;
        }
        setFormError(null);
        const name = field("name").trim();
        const server: NewMcpServer =
          transport === "http"
            ? { name, url: field("url").trim(), headers: secrets }
            : { name, command: field("command").trim(), args: field("args").split("\n").filter((arg) => arg.trim()), env: secrets };
        void register.run(server, form);
      }}
    >
      <div className="form-row">
        <Field label="Name" name="name" required maxLength={32} pattern="[a-z0-9][a-z0-9_\-]*" hint="Lower case; the tools' prefix, as in name.tool" data-testid="mcp-name" />
        <div className="field">
          <label>
            Transport
            <select value={transport} onChange={(event) => setTransport(event.target.value as "http" | "stdio")} data-testid="mcp-transport">
              <option value="http">Streamable HTTP (a URL)</option>
              <option value="stdio">A command the workers start (stdio)</option>
            </select>
          </label>
        </div>
      </div>
      {transport === "http" ? (
        <Field label="URL" name="url" type="url" required maxLength={2000} placeholder="https://tools.example.com/mcp" data-testid="mcp-url" />
      ) : (
        <div className="form-row">
          <Field label="Command" name="command" required maxLength={500} placeholder="uvx" data-testid="mcp-command" />
          <div className="field">
            <label>
              Arguments, one per line
              <textarea name="args" rows={2} data-testid="mcp-args" />
            </label>
          </div>
        </div>
      )}
      <div className="field">
        <label>
          {transport === "http" ? "Headers, one `Name: value` per line" : "Environment, one `NAME=value` per line"}
          <textarea name="secrets" rows={2} autoComplete="off" data-testid="mcp-secrets" />
        </label>
        <span className="hint">Kept sealed with the server's key and never shown again.</span>
      </div>
      <FormError error={formError ?? register.error} testId="mcp-form-error" />
      <div>
        <button type="submit" className="primary" disabled={register.busy} data-testid="mcp-register">
          Register
        </button>
      </div>
    </form>
  );
}

export function McpServersSection() {
  const servers = useMcpServers();
  const refresh = useAction(servers.refresh);
  const remove = useAction(servers.remove);
  return (
    <section className="page-section" aria-labelledby="mcp-heading">
      <h2 id="mcp-heading">Tools (MCP servers)</h2>
      <p className="hint">A worker connects to each server and lists its tools, which conversations can then use.</p>
      <FormError error={refresh.error ?? remove.error ?? servers.error} testId="mcp-error" />
      {servers.value?.length ? (
        <ul className="mcp-servers">
          {servers.value.map((server) => (
            <ServerRow
              key={server.id}
              server={server}
              busy={refresh.busy || remove.busy}
              onRefresh={() => void refresh.run(server.id)}
              onDelete={() => void remove.run(server.id)}
            />
          ))}
        </ul>
      ) : servers.value ? (
        <p className="hint" data-testid="mcp-none">
          No server registered yet.
        </p>
      ) : null}
      <RegisterForm onRegister={servers.register} />
    </section>
  );
}
