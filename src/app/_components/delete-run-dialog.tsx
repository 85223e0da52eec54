"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTRPC } from "../../trpc/react";
import type { RunView } from "../../trpc/shared";
import { formatInt } from "../_lib/format";

/**
 * Asks before a run leaves the history (topic.deleteRun). Its output.txt is kept unless the
 * user ticks the box; Cancel or Escape closes it with nothing changed.
 */
export function DeleteRunDialog({ run, onClose }: { run: RunView; onClose: (deleted: boolean) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const ref = useRef<HTMLDialogElement>(null);
  const [files, setFiles] = useState(false);
  useEffect(() => {
    if (!ref.current?.open) ref.current?.showModal();
  }, []);
  const remove = useMutation(
    trpc.topic.deleteRun.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.topic.list.queryKey() });
        onClose(true);
      },
    }),
  );
  const folder = `output/${run.slug}/`;
  return (
    <dialog ref={ref} className="confirm-dialog" aria-labelledby="delete-run-title" onClose={() => onClose(false)} data-testid="delete-dialog">
      <h2 id="delete-run-title">Delete “{run.topic}”?</h2>
      <p>Its {formatInt(run.totals.unique)} entries, calls, charts and events leave the history. This cannot be undone.</p>
      <label className="check">
        <input type="checkbox" checked={files} onChange={(e) => setFiles(e.target.checked)} data-testid="delete-files" /> Also delete output.txt (the folder{" "}
        <code>{folder}</code>)
      </label>
      <p className="hint">{files ? `${folder} will be deleted too.` : `${folder}output.txt is kept: igentai import can make a run of it again.`}</p>
      {remove.isError && (
        <p className="form-error" role="alert">
          Could not delete: {remove.error.message}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={() => ref.current?.close()} data-testid="delete-cancel">
          Cancel
        </button>
        <button
          type="button"
          className="btn danger"
          disabled={remove.isPending}
          onClick={() => remove.mutate({ runId: run.id, files })}
          data-testid="delete-confirm"
        >
          {remove.isPending ? "Deleting…" : "Delete run"}
        </button>
      </div>
    </dialog>
  );
}
