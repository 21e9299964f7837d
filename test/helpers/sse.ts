/** Reads a server-sent events stream into a list, for tests that wait for a live event. */
export interface SseEvent {
  event: string;
  data: any;
}

export async function openEventStream(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ events: SseEvent[]; close(): void }> {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal, headers });
  if (!response.ok || !response.body) throw new Error(`event stream: ${response.status}`);
  const events: SseEvent[] = [];
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
          end = buffer.indexOf("\n\n");
        }
      }
    } catch {
      // aborted
    }
  })();
  return { events, close: () => controller.abort() };
}
