// The portal's own script (no inline scripts: the CSP forbids them). Each part starts only on
// the pages that have its elements.
"use strict";

function csrfToken() {
  // The base template puts the CSRF token in htmx's hx-headers on <body>.
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["x-csrftoken"] || "";
  } catch (e) {
    return "";
  }
}

function english() {
  return document.documentElement.lang === "en";
}

function say(zh, en) {
  return english() ? en : zh;
}

async function sha256Hex(file) {
  // crypto.subtle exists only in secure contexts (HTTPS, or the loopback address).
  if (!window.crypto || !window.crypto.subtle) return null;
  const digest = await window.crypto.subtle.digest("SHA-256", await file.arrayBuffer());
  return Array.from(new Uint8Array(digest)).map((b) => b.toString(16).padStart(2, "0")).join("");
}

// A sealed bid package: streamed as the raw body with a progress bar, then on to its receipt.
function setUpBidUpload(form) {
  const input = form.querySelector('input[type="file"]');
  const bar = document.getElementById("upload-progress");
  const status = document.getElementById("upload-status");
  const error = document.getElementById("e-package");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const file = input.files && input.files[0];
    if (!file) {
      error.textContent = say("请选择加密投标文件", "Choose the sealed package");
      input.focus();
      return;
    }
    const digest = await sha256Hex(file);
    if (digest) sessionStorage.setItem("uploaded-sha256", digest);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.dataset.uploadUrl);
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.setRequestHeader("x-csrftoken", csrfToken());
    xhr.setRequestHeader("Accept", "application/json");
    bar.hidden = false;
    xhr.upload.addEventListener("progress", (e) => {
      if (!e.lengthComputable) return;
      const percent = Math.round((e.loaded / e.total) * 100);
      bar.value = percent;
      bar.textContent = percent + "%";
      status.textContent = say("已上传 ", "Uploaded ") + percent + "%";
    });
    xhr.addEventListener("load", () => {
      let answer = {};
      try {
        answer = JSON.parse(xhr.responseText);
      } catch (e) {
        answer = {};
      }
      if (xhr.status === 201 && answer.receipt) {
        status.textContent = say("上传完成，正在打开回执…", "Uploaded; opening the receipt…");
        window.location.assign(answer.receipt);
        return;
      }
      const message = answer.message ? answer.message[english() ? "en" : "zh-CN"] : null;
      error.textContent = message || say("上传失败（", "Upload failed (") + xhr.status + ")";
      status.textContent = "";
      input.focus();
    });
    xhr.addEventListener("error", () => {
      error.textContent = say("网络中断，请重试", "The connection failed; try again");
    });
    xhr.send(file);
  });
}

// A qualification document: sent as the form's multipart body with a progress bar; the size
// limit is checked before sending (the server checks it again); then the page again, where the
// SHA-256 the platform stored is compared with the one this browser computed.
function setUpDocumentUpload(form) {
  const input = form.querySelector('input[type="file"]');
  const bar = document.getElementById("document-progress");
  const status = document.getElementById("document-status");
  const maxBytes = Number(form.dataset.maxBytes);
  const showErrors = (errors) => {
    form.querySelectorAll(".error[id^='e-']").forEach((slot) => {
      slot.textContent = errors[slot.id.slice(2)] || "";
    });
    const other = errors.__all__;
    if (other) document.getElementById("e-file").textContent = other;
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showErrors({});
    const file = input.files && input.files[0];
    if (!file) {
      showErrors({ file: say("请选择要上传的文件", "Choose the file to upload") });
      input.focus();
      return;
    }
    if (file.size > maxBytes) {
      const limit = Math.floor(maxBytes / (1024 * 1024));
      showErrors({ file: say("文件超过" + limit + "MB上限，请压缩或拆分后重新上传", "The file is larger than the " + limit + " MB limit") });
      input.focus();
      return;
    }
    const digest = await sha256Hex(file);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("x-csrftoken", csrfToken());
    xhr.setRequestHeader("Accept", "application/json");
    bar.hidden = false;
    xhr.upload.addEventListener("progress", (e) => {
      if (!e.lengthComputable) return;
      const percent = Math.round((e.loaded / e.total) * 100);
      bar.value = percent;
      bar.textContent = percent + "%";
      status.textContent = say("已上传 ", "Uploaded ") + percent + "%";
    });
    xhr.addEventListener("load", () => {
      let answer = {};
      try {
        answer = JSON.parse(xhr.responseText);
      } catch (e) {
        answer = {};
      }
      if (xhr.status === 201 && answer.page) {
        if (digest) sessionStorage.setItem("document-sha256", digest);
        window.location.assign(answer.page);
        window.location.reload();
        return;
      }
      const message = answer.message ? answer.message[english() ? "en" : "zh-CN"] : null;
      showErrors(answer.errors || { file: message || say("上传失败（", "Upload failed (") + xhr.status + ")" });
      status.textContent = "";
      bar.hidden = true;
      input.focus();
    });
    xhr.addEventListener("error", () => {
      showErrors({ file: say("网络中断，请重试", "The connection failed; try again") });
    });
    xhr.send(new FormData(form));
  });
}

// After an upload: the row the page opened at says whether the stored file is the one sent.
function checkDocumentDigest() {
  const sent = sessionStorage.getItem("document-sha256");
  const row = location.hash.startsWith("#doc-") ? document.getElementById(location.hash.slice(1)) : null;
  if (!sent || !row) return;
  sessionStorage.removeItem("document-sha256");
  const code = row.querySelector("[data-sha256]");
  const out = row.querySelector(".digest-check");
  const same = code.dataset.sha256 === sent;
  out.className = "digest-check " + (same ? "ok" : "error");
  out.textContent = same
    ? say(" 与您上传的文件一致", " matches the file you sent")
    : say(" 与您上传的文件不一致！", " does NOT match the file you sent!");
}

// The receipt names the package: compare with the digest of the file this browser uploaded.
function checkReceiptDigest(code) {
  const uploaded = sessionStorage.getItem("uploaded-sha256");
  const out = document.getElementById("digest-check");
  if (!uploaded || !out) return;
  const same = uploaded === code.textContent.trim();
  out.className = same ? "ok" : "error";
  out.textContent = same
    ? say("回执中的 SHA-256 与您刚上传的文件一致。", "The receipt's SHA-256 matches the file you just uploaded.")
    : say("回执中的 SHA-256 与您刚上传的文件不一致！", "The receipt's SHA-256 does NOT match the file you uploaded!");
}

// The auction room: live over the auction's websocket for watchers (the login cookie goes with
// it), the public board polled every 5 s for anyone else.
function setUpAuctionRoom(room) {
  const price = document.getElementById("room-price");
  const seconds = document.getElementById("room-seconds");
  const status = document.getElementById("room-connection");
  const list = document.getElementById("room-bids");
  const show = (message) => {
    if (message.current_price) price.textContent = "¥" + message.current_price;
    if (message.seconds_left !== undefined && message.seconds_left !== null) seconds.textContent = message.seconds_left;
  };
  const addBid = (bid) => {
    if (!list || list.querySelector('[data-seq="' + bid.seq + '"]')) return;
    const item = document.createElement("li");
    item.dataset.seq = bid.seq;
    item.textContent = "#" + bid.seq + " · " + say("竞买号 ", "bidder no. ") + bid.number + " · ¥" + bid.price + " · " + bid.at;
    list.insertBefore(item, list.firstChild);
    price.textContent = "¥" + bid.price;
  };
  const path = room.dataset.livePath;
  if (path) {
    let delay = 1000;
    const connect = () => {
      const socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + path);
      socket.addEventListener("open", () => {
        delay = 1000;
        status.textContent = say("实时连接已建立", "Live");
        status.dataset.live = "yes";
      });
      socket.addEventListener("message", (event) => {
        const message = JSON.parse(event.data);
        if (message.kind === "bid") addBid(message);
        else show(message);
      });
      socket.addEventListener("close", () => {
        status.textContent = say("连接中断，正在重连…", "Disconnected; reconnecting…");
        status.dataset.live = "no";
        setTimeout(connect, delay);
        delay = Math.min(delay * 2, 15000);
      });
    };
    connect();
    return;
  }
  setInterval(async () => {
    try {
      const answer = await fetch(room.dataset.boardUrl, { headers: { Accept: "application/json" } });
      if (answer.ok) {
        const board = await answer.json();
        show({ current_price: board.current_price, seconds_left: board.seconds_left });
      }
    } catch (e) {
      /* the next poll tries again */
    }
  }, 5000);
}

// The unified social credit code (GB 32100-2015), checked as it is typed; the server checks it
// again (trading/organisations/uscc.py has the same rule).
const USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_SHAPE = /^[0-9A-HJ-NP-RTUWXY]{2}\d{6}[0-9A-HJ-NP-RTUWXY]{10}$/;

function usccProblem(raw) {
  const code = raw.trim().toUpperCase();
  if (code.length === 0) return "";
  if (code.length !== 18) {
    return say("统一社会信用代码应为18位，当前为" + code.length + "位", "18 characters needed, " + code.length + " typed");
  }
  if (!USCC_SHAPE.test(code)) {
    return say("含有不允许的字符（不使用I、O、S、V、Z，第3-8位为数字）", "Characters GB 32100 does not use (no I, O, S, V, Z; positions 3-8 are digits)");
  }
  let total = 0;
  for (let i = 0; i < 17; i++) {
    let weight = 1;
    for (let k = 0; k < i; k++) weight = (weight * 3) % 31;
    total += USCC_ALPHABET.indexOf(code[i]) * weight;
  }
  const expected = USCC_ALPHABET[(31 - (total % 31)) % 31];
  if (code[17] !== expected) {
    return say("校验位错误：第18位应为" + expected + "，请核对", "Wrong check character: the 18th should be " + expected);
  }
  return "";
}

function setUpUsccCheck(input) {
  const out = document.getElementById("e-" + input.name);
  const field = input.closest(".field");
  const check = () => {
    const problem = usccProblem(input.value);
    out.textContent = problem;
    if (problem) {
      input.setAttribute("aria-invalid", "true");
      field.classList.add("invalid");
    } else {
      input.removeAttribute("aria-invalid");
      field.classList.remove("invalid");
    }
  };
  input.addEventListener("input", () => {
    if (input.value.trim().length >= 18) check();
    else if (!input.value.trim()) check();
  });
  input.addEventListener("blur", check);
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input[data-uscc]").forEach(setUpUsccCheck);
  const room = document.getElementById("auction-room");
  if (room) setUpAuctionRoom(room);
  const upload = document.getElementById("bid-upload");
  if (upload) setUpBidUpload(upload);
  const documentUpload = document.getElementById("document-upload");
  if (documentUpload) setUpDocumentUpload(documentUpload);
  if (document.querySelector("[data-sha256]")) checkDocumentDigest();
  const receiptDigest = document.getElementById("receipt-sha256");
  if (receiptDigest) checkReceiptDigest(receiptDigest);
});
