// Simple branching on the survey page: a question with data-show-if is shown only while the
// named single-choice question has one of data-show-values. The server applies the same rule
// (survey_answers.read_answers), so the page works without this script.
(function () {
  var form = document.querySelector("form");
  if (!form) return;
  var dependants = form.querySelectorAll("[data-show-if]");
  function update() {
    dependants.forEach(function (fieldset) {
      var picked = form.querySelector("input[name='" + fieldset.dataset.showIf + "']:checked");
      var wanted = fieldset.dataset.showValues.replace(/，/g, ",").split(",").map(function (v) {
        return v.trim();
      });
      fieldset.hidden = !(picked && wanted.indexOf(picked.value) !== -1);
    });
  }
  form.addEventListener("change", update);
  update();
})();
