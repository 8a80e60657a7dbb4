"""chatty.py COMPANY_DIR OUT.csv: COMPANY_DIR/messages.csv with every message
wrapped in a greeting, a sign-off or both (seeded, so every run writes the same
file), for `concierge answers eval --messages OUT.csv COMPANY_DIR`.

It measures how the bot reads customers who greet and thank on content whose
plain messages are scored too: the read eleven's plain and wrapped figures side
by side (README, stop 48). Its phrases were written for this script; the bot's
pleasantry lists (bot/pleasantries.go) took several of them afterwards, so for
those phrases the wrapped figures move by construction. What it still measures
fairly is what the classifier, the catalogue and the search make of a message
around them. A held-out company written chatty by someone else (farmbox) is the
fair check.
"""
import csv, os, random, sys
random.seed(48)
EN_O=["hi there!","hello,","hey guys quick question -","good morning :)","Hi team,","hello, hope you're well.","hey, sorry to bother you,","hi! I have a question.","Dear sir/madam,","hiya","hello hello","hey there, first time messaging here.","evening!","Hi, hope you can help.","hey :)"]
EN_C=["thanks!","thank you so much","cheers","thx in advance","thanks a lot :)","appreciate it","many thanks","ty!","have a nice day","thank you!!"]
ZH_O=["你好，","您好～","在吗？","老板，","亲，","hello呀，","你好 问一下","请问一下，","打扰一下，","美女你好，","嗨～","你好呀 "]
ZH_C=["谢谢啦","谢谢！","麻烦了","辛苦了","感谢～","多谢","谢谢老板","🙏","谢谢亲"]
src, out = sys.argv[1], sys.argv[2]
rows=list(csv.DictReader(open(os.path.join(src,"messages.csv"),encoding="utf-8")))
w=csv.DictWriter(open(out,"w",encoding="utf-8",newline=""),fieldnames=rows[0].keys())
w.writeheader()
for r in rows:
    t=r["text"]; zh=r["lang"]=="zh"
    mode=random.choice(["o","c","oc"])
    if "o" in mode:
        o=random.choice(ZH_O if zh else EN_O)
        t=(o+t) if zh else (o+" "+t)
    if "c" in mode:
        c=random.choice(ZH_C if zh else EN_C)
        t=(t+" "+c) if zh else (t.rstrip()+(" " if t.rstrip()[-1:] in "?!." else ", ")+c)
    r["text"]=t
    w.writerow(r)
