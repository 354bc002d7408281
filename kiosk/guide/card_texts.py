"""The card check's words in every language. Where a PIN is locked, the texts say where it is reset and what to bring
(the municipality's counter, with the card itself: e.g. https://www.city.ebetsu.hokkaido.jp/soshiki/shimin/34588.html)."""

from __future__ import annotations

CARD_UI: dict[str, dict[str, str]] = {
    "ja": {
        "offer": "カードの暗証番号の残り回数をしらべる",
        "offer.short": "暗証番号の残り回数をしらべる",
        "offer.waiting": "待つあいだに、カードをしらべる",
        "waiting.title": "カードを読み取り機に置いてください",
        "waiting.text": "マイナンバーカードを、読み取り機の上に置いてください。暗証番号は入れません。",
        "waiting.privacy": "読み取るのは、暗証番号をあと何回まちがえられるかだけです。記録はしません。",
        "reading.title": "読み取っています",
        "reading.text": "カードを動かさないで、そのままお待ちください。",
        "result.title": "暗証番号の残り回数",
        "pin4.1": (
            "4桁の暗証番号は、あと1回まちがえるとロックされます。自信がないときは、入力しないで係の人を呼んでください。"
        ),
        "pin4.n": "4桁の暗証番号は、あと{n}回まちがえるとロックされます。",
        "pin4.locked": "4桁の暗証番号はロックされています。",
        "sign.1": "署名用の暗証番号(6〜16けたの英数字)は、あと1回まちがえるとロックされます。",
        "sign.n": "署名用の暗証番号(6〜16けたの英数字)は、あと{n}回まちがえるとロックされます。",
        "sign.locked": "署名用の暗証番号(6〜16けたの英数字)はロックされています。",
        "unknown": "このカードからは、残り回数がわかりませんでした。",
        "calm": "あわてずに、ゆっくり入力してください。",
        "locked.where": (
            "{counter}で、ロックを解除して暗証番号を設定しなおせます。マイナンバーカードを持っていってください。"
        ),
        "expired": (
            "利用者証明用の電子証明書の有効期限が切れています。"
            "{counter}で更新できます。"
            "マイナンバーカードを持っていってください。"
        ),
        "not-mynumber.title": "マイナンバーカードではないようです",
        "not-mynumber.text": "このカードは読み取れませんでした。マイナンバーカードを置いてください。",
        "no-answer.title": "カードのICチップが読み取れません",
        "no-answer.text": (
            "カードをいちど離して、置きなおしてください。"
            "何度やっても読めないときは、ICチップがこわれているかもしれません。"
            "{counter}で相談できます。"
            "マイナンバーカードを持っていってください。"
        ),
        "removed.title": "カードが離れました",
        "removed.text": "読み取りのとちゅうでカードが離れました。もういちど置いて、終わるまで動かさないでください。",
        "reader-error.title": "読み取り機が使えません",
        "reader-error.text": "カードの読み取り機が、いま使えません。係の人を呼んでください。",
        "retry": "もういちど読む",
        "reset": "暗証番号の再設定",
        "call": "係の人を呼ぶ",
        "done": "わかりました",
    },
    "ja-easy": {
        "offer": "カードの ばんごうを あと なんかい まちがえられるか しらべる",
        "offer.short": "あと なんかい まちがえられるか しらべる",
        "offer.waiting": "まつ あいだに カードを しらべる",
        "waiting.title": "カードを きかいに おいて ください",
        "waiting.text": "マイナンバーカードを、よみとりの きかいの うえに おいて ください。ばんごうは いれません。",
        "waiting.privacy": "しらべるのは、あと なんかい まちがえられるか だけです。きろくは しません。",
        "reading.title": "よんで います",
        "reading.text": "カードを うごかさないで まって ください。",
        "result.title": "あと なんかい まちがえられるか",
        "pin4.1": (
            "4けたの ばんごうは、あと 1かい まちがえると つかえなく なります。"
            "じしんが ない ときは、いれないで かかりの ひとを よんで ください。"
        ),
        "pin4.n": "4けたの ばんごうは、あと {n}かい まちがえると つかえなく なります。",
        "pin4.locked": "4けたの ばんごうは、いま つかえなく なって います。",
        "sign.1": "しょめいようの ばんごう(6〜16もじ)は、あと 1かい まちがえると つかえなく なります。",
        "sign.n": "しょめいようの ばんごう(6〜16もじ)は、あと {n}かい まちがえると つかえなく なります。",
        "sign.locked": "しょめいようの ばんごう(6〜16もじ)は、いま つかえなく なって います。",
        "unknown": "この カードでは、あと なんかいか わかりませんでした。",
        "calm": "あわてないで、ゆっくり いれて ください。",
        "locked.where": "{counter}で、また つかえるように できます。マイナンバーカードを もって いって ください。",
        "expired": (
            "カードの でんししょうめいしょの きげんが きれて います。"
            "{counter}で こうしん できます。"
            "マイナンバーカードを もって いって ください。"
        ),
        "not-mynumber.title": "マイナンバーカードでは ない みたいです",
        "not-mynumber.text": "この カードは よめませんでした。マイナンバーカードを おいて ください。",
        "no-answer.title": "カードの ICチップが よめません",
        "no-answer.text": (
            "カードを いちど はなして、また おいて ください。"
            "なんかい やっても よめない ときは、カードが こわれて いるかも しれません。"
            "{counter}で そうだん できます。"
            "マイナンバーカードを もって いって ください。"
        ),
        "removed.title": "カードが はなれました",
        "removed.text": (
            "よんで いる とちゅうで カードが はなれました。また おいて、おわるまで うごかさないで ください。"
        ),
        "reader-error.title": "よみとりの きかいが つかえません",
        "reader-error.text": "いま よみとりの きかいが つかえません。かかりの ひとを よんで ください。",
        "retry": "もういちど よむ",
        "reset": "ばんごうを せってい しなおす",
        "call": "かかりの ひとを よぶ",
        "done": "わかりました",
    },
    "en": {
        "offer": "Check how many PIN tries my card has left",
        "offer.short": "Check my PIN tries left",
        "offer.waiting": "Check my card while I wait",
        "waiting.title": "Place your card on the reader",
        "waiting.text": "Place your My Number card on the card reader. You will not type a PIN.",
        "waiting.privacy": "The kiosk only reads how many tries are left. Nothing is recorded.",
        "reading.title": "Reading your card",
        "reading.text": "Please keep the card still and wait.",
        "result.title": "PIN tries left",
        "pin4.1": (
            "Your 4-digit PIN locks after 1 more wrong try. "
            "If you are not sure of it, do not type it: "
            "call a staff member."
        ),
        "pin4.n": "Your 4-digit PIN locks after {n} more wrong tries.",
        "pin4.locked": "Your 4-digit PIN is locked.",
        "sign.1": "Your signature password (6-16 letters and digits) locks after 1 more wrong try.",
        "sign.n": "Your signature password (6-16 letters and digits) locks after {n} more wrong tries.",
        "sign.locked": "Your signature password (6-16 letters and digits) is locked.",
        "unknown": "The card did not tell how many tries are left.",
        "calm": "Take your time and type it slowly.",
        "locked.where": "At {counter} they can unlock it and set a new PIN. Bring your My Number card.",
        "expired": (
            "The card's user certificate has expired. It can be renewed at {counter}. Bring your My Number card."
        ),
        "not-mynumber.title": "This does not seem to be a My Number card",
        "not-mynumber.text": "This card could not be read. Please place your My Number card.",
        "no-answer.title": "The card's chip cannot be read",
        "no-answer.text": (
            "Take the card away and place it again. "
            "If it never reads, the chip may be damaged: "
            "ask at {counter}. "
            "Bring your My Number card."
        ),
        "removed.title": "The card was moved",
        "removed.text": (
            "The card left the reader while it was being read. Place it again and keep it still until the end."
        ),
        "reader-error.title": "The card reader is not working",
        "reader-error.text": "The card reader cannot be used right now. Please call a staff member.",
        "retry": "Read again",
        "reset": "Reset my PIN",
        "call": "Call staff",
        "done": "OK",
    },
}


def card_ui(language: str, key: str, **values: object) -> str:
    """A card-check string in a language (falling back to Japanese), with values filled in."""
    table = CARD_UI.get(language, CARD_UI["ja"])
    return table.get(key, CARD_UI["ja"][key]).format(**values)
