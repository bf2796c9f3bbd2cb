// The print buttons of the 督办单 and the 红黑榜 通报 (an inline onclick would be refused by the page's CSP).
document.querySelectorAll(".print-button").forEach(function (b) {
  b.addEventListener("click", function () { window.print(); });
});
