/* Dashboard image upload preview without inline handlers (the CSP forbids them).
   Oscar's dashboard.js reads the chosen file into a data: URL and sets it as the src of the
   widget's <img>; here the load/error of that <img> (caught on the document, as they do not
   bubble) hides the "Upload Image" button, or shows it with an error for a non-image file.
   Works for the image forms Oscar clones after the first one too. */
(function () {
    "use strict";

    function widgetParts(img) {
        var widget = img.closest(".image-input");
        if (!widget) {
            return null;
        }
        return {
            button: widget.querySelector("button[id^='upload_button_']"),
            error: widget.querySelector(".image-input-warning")
        };
    }

    function handle(event) {
        var img = event.target;
        if (!(img instanceof HTMLImageElement) || !img.getAttribute("src")) {
            return;
        }
        var parts = widgetParts(img);
        if (!parts) {
            return;
        }
        var failed = event.type === "error";
        if (parts.button) {
            parts.button.hidden = !failed;
            parts.button.style.display = failed ? "" : "none";
        }
        if (parts.error) {
            parts.error.hidden = !failed;
        }
    }

    document.addEventListener("load", handle, true);
    document.addEventListener("error", handle, true);
}());
