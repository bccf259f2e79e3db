// Intake of a sexual-exploitation case: show only the facts the chosen category records.
// The category's list of facts comes from the page (data-applicable, from the categories' data);
// without JavaScript every field stays visible and the server refuses the ones that do not apply.
(function () {
  var select = document.getElementById("id_kind");
  var holder = document.querySelector("[data-applicable]");
  if (!select || !holder) return;
  var applicable = JSON.parse(holder.getAttribute("data-applicable"));
  function update() {
    var category = (select.value || "").split(":")[0];
    var names = applicable[category] || null;
    document.querySelectorAll("[data-fact]").forEach(function (box) {
      box.hidden = names !== null && names.indexOf(box.getAttribute("data-fact")) === -1;
    });
  }
  select.addEventListener("change", update);
  update();
})();
