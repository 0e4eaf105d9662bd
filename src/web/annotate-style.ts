/** CSS of the labeling and review pages, on top of layout.ts's base style. */
export const ANNOTATE_STYLE = `
main{max-width:60rem}
.qa-top{display:flex;flex-wrap:wrap;align-items:center;gap:.6rem 1.4rem;margin-bottom:.8rem}
.qa-top h1{font-size:1.35rem;margin:.1rem 0 0}.qa-top .back{font-size:.9rem;color:#3b5bdb;text-decoration:none}
.qa-top .back:hover{text-decoration:underline}
.stats{display:flex;gap:.5rem;margin:0 0 0 auto}
.stats div{background:#fff;border:1px solid #dde1e8;border-radius:8px;padding:.3rem .75rem;min-width:5.5rem}
.stats dt{font-size:.72rem;text-transform:uppercase;letter-spacing:.04em;color:#6b7280}
.stats dd{margin:0;font-size:1.15rem;font-weight:650;font-variant-numeric:tabular-nums}
#msg{min-height:1.5rem;margin:.2rem 0 .6rem;padding:.35rem .7rem;border-radius:6px;font-weight:500}
#msg:empty{visibility:hidden}
#msg.ok{background:#e7f6ec;color:#17602f}#msg.info{background:#eef2ff;color:#2f3f8f}#msg.error{background:#fdecea;color:#a1221a}
.card{min-height:8rem}
.item-head{display:flex;justify-content:space-between;font-size:.82rem;margin-bottom:.5rem}
.item-text{font-size:1.22rem;line-height:1.55;white-space:pre-wrap;overflow-wrap:anywhere;max-width:70ch}
.item-img{display:block;max-width:100%;max-height:26rem;margin:.2rem 0 .8rem;border-radius:6px;border:1px solid #dde1e8}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;margin:0;font-size:1.05rem}
.meta dt{font-weight:600;color:#4b5563}.meta dd{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
.note{background:#fff7e0;border:1px solid #f0d58a;border-radius:6px;padding:.45rem .7rem;margin:0 0 .7rem;color:#6b4e00}
.suggestion{margin-top:.8rem;padding:.45rem .7rem;border-left:4px solid #8b5cf6;background:#f5f3ff}
.votes{display:flex;flex-wrap:wrap;gap:.5rem;list-style:none;padding:0;margin:.9rem 0 0}
.votes li{background:#f1f3f7;border:1px solid #dde1e8;border-radius:999px;padding:.25rem .8rem}
.votes b{margin-right:.35rem}
.labels{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:.6rem;margin:0 0 1rem}
.lbl{display:flex;align-items:center;gap:.6rem;min-height:3.4rem;padding:.5rem .8rem;font-size:1.1rem;text-align:left;
  background:#fff;color:#1d2330;border:2px solid #c9ced8;border-radius:10px;overflow-wrap:anywhere}
.lbl:hover{border-color:#3b5bdb;background:#f5f7ff}
.lbl.on{background:#3b5bdb;border-color:#3b5bdb;color:#fff}
.lbl .votes-on{margin-left:auto;font-size:.75rem;font-weight:600;background:#fde68a;color:#5c4100;border-radius:999px;padding:.1rem .45rem}
kbd{display:inline-block;min-width:1.4em;padding:.05rem .35rem;font:600 .8rem ui-monospace,monospace;text-align:center;
  background:#eef0f4;color:#1d2330;border:1px solid #c9ced8;border-bottom-width:2px;border-radius:5px}
.lbl.on kbd{background:#fff;border-color:#fff}
.actions{display:flex;flex-wrap:wrap;align-items:center;gap:.6rem}.actions .hint{margin-left:auto;font-size:.85rem}
.actions button,.ghost{border:1px solid #c9ced8;background:#fff;border-radius:8px;padding:.55rem 1rem}
.actions .primary{background:#1d2330;color:#fff;border-color:#1d2330;font-weight:600;padding:.55rem 1.4rem}
button:disabled{opacity:.55;cursor:progress}
button:focus-visible,a:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.empty{text-align:center;padding:2.2rem 1rem}.empty h2{margin:.2rem 0 .5rem}
.overlay{position:fixed;inset:0;background:rgba(17,22,33,.55);display:flex;align-items:center;justify-content:center;z-index:10}
.overlay[hidden]{display:none}
.overlay .panel{background:#fff;border-radius:12px;padding:1.2rem 1.5rem;min-width:20rem;box-shadow:0 10px 40px rgba(0,0,0,.3)}
.overlay h2{margin:0 0 .6rem;font-size:1.15rem}.overlay td{border:0;padding:.3rem .6rem .3rem 0}
[hidden]{display:none !important}
`;
