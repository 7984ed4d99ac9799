/**
 * Test peer: an HTTP server on a Unix socket that records every request the client sends and answers as told.
 * It stands in for the Firecracker API socket in contract tests; it is not part of the backend.
 */
import fs from "node:fs";
import http from "node:http";

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  /** Parsed JSON body; undefined when no body was sent. */
  body: unknown;
}

export interface PeerAnswer {
  status: number;
  body?: string;
  /** Never answer (to test client timeouts). */
  hang?: boolean;
}

export type Responder = (req: RecordedRequest) => PeerAnswer;

/** Firecracker's normal answers: 200 + JSON for the two GETs, 204 for everything else. */
export const firecrackerLikeAnswer: Responder = (req) => {
  if (req.method === "GET" && req.url === "/") {
    return { status: 200, body: JSON.stringify({ app_name: "Firecracker", id: "peer", state: "Not started", vmm_version: "1.16.1" }) };
  }
  if (req.method === "GET" && req.url === "/version") return { status: 200, body: JSON.stringify({ firecracker_version: "1.16.1" }) };
  return { status: 204 };
};

export interface RecordingPeer {
  socketPath: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startRecordingPeer(socketPath: string, respond: Responder = firecrackerLikeAnswer): Promise<RecordingPeer> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        rawBody,
        body: rawBody === "" ? undefined : JSON.parse(rawBody),
      };
      requests.push(recorded);
      const answer = respond(recorded);
      if (answer.hang) return;
      res.writeHead(answer.status, answer.body ? { "Content-Type": "application/json" } : {});
      res.end(answer.body);
    });
  });
  fs.rmSync(socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => resolve());
  });
  return {
    socketPath,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
