"""The discovery document of ``commentanalyzer v1alpha1``, as Google's API client reads it.

Google documents calling Perspective with ``googleapiclient.discovery.build("commentanalyzer", "v1alpha1",
developerKey=..., discoveryServiceUrl=...)``; that client builds its methods from this document. It holds the two
methods modbot serves (``comments.analyze``, ``comments.suggestscore``) and their schemas, with ``rootUrl`` set
to the address the document was fetched from.
"""

from __future__ import annotations

from typing import Any

_STR = {"type": "string"}
_NUM = {"type": "number", "format": "float"}
_BOOL = {"type": "boolean"}


def _schema(name: str, properties: dict[str, Any], description: str) -> dict[str, Any]:
    return {"id": name, "type": "object", "description": description, "properties": properties}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": name}


def _map(name: str) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": _ref(name)}


def _list(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


SCHEMAS: dict[str, dict[str, Any]] = {
    "TextEntry": _schema("TextEntry", {"text": _STR, "type": {**_STR, "enum": ["TEXT_TYPE_UNSPECIFIED", "PLAIN_TEXT",
                                                                                "HTML"]}}, "A piece of text."),
    "Context": _schema("Context", {"entries": _list(_ref("TextEntry")),
                                   "articleAndParentComment": _ref("ArticleAndParentComment")},
                       "Context of the comment (accepted, not used for scoring)."),
    "ArticleAndParentComment": _schema("ArticleAndParentComment", {"article": _ref("TextEntry"),
                                                                   "parentComment": _ref("TextEntry")},
                                       "The article and the parent comment."),
    "AttributeParameters": _schema("AttributeParameters", {"scoreType": _STR, "scoreThreshold": _NUM},
                                   "How an attribute is scored."),
    "Score": _schema("Score", {"value": _NUM, "type": _STR}, "A score: value and type (PROBABILITY)."),
    "SpanScore": _schema("SpanScore", {"begin": {"type": "integer", "format": "int32"},
                                       "end": {"type": "integer", "format": "int32"}, "score": _ref("Score")},
                         "The score of a span (a sentence) of the comment."),
    "AttributeScores": _schema("AttributeScores", {"summaryScore": _ref("Score"),
                                                   "spanScores": _list(_ref("SpanScore"))},
                               "An attribute's summary and span scores."),
    "AnalyzeCommentRequest": _schema("AnalyzeCommentRequest", {
        "comment": _ref("TextEntry"), "context": _ref("Context"),
        "requestedAttributes": _map("AttributeParameters"), "spanAnnotations": _BOOL,
        "languages": _list(_STR), "doNotStore": _BOOL, "clientToken": _STR, "sessionId": _STR,
        "communityId": _STR}, "The comment analysis request message."),
    "AnalyzeCommentResponse": _schema("AnalyzeCommentResponse", {
        "attributeScores": _map("AttributeScores"), "languages": _list(_STR), "detectedLanguages": _list(_STR),
        "clientToken": _STR}, "The comment analysis response message."),
    "SuggestCommentScoreRequest": _schema("SuggestCommentScoreRequest", {
        "comment": _ref("TextEntry"), "context": _ref("Context"), "attributeScores": _map("AttributeScores"),
        "languages": _list(_STR), "doNotStore": _BOOL, "clientToken": _STR, "sessionId": _STR,
        "communityId": _STR}, "A suggested score for a comment (stored as feedback)."),
    "SuggestCommentScoreResponse": _schema("SuggestCommentScoreResponse", {
        "requestedLanguages": _list(_STR), "detectedLanguages": _list(_STR), "clientToken": _STR},
        "The answer to a suggested score."),
}

_PARAMETERS = {
    "key": {"type": "string", "location": "query", "description": "API key."},
    "alt": {"type": "string", "location": "query", "default": "json", "enum": ["json"]},
    "fields": {"type": "string", "location": "query"},
    "prettyPrint": {"type": "boolean", "location": "query", "default": "true"},
    "quotaUser": {"type": "string", "location": "query"},
    "$.xgafv": {"type": "string", "location": "query", "enum": ["1", "2"]},
}


def _method(name: str, request: str, response: str, description: str) -> dict[str, Any]:
    path = f"v1alpha1/comments:{name}"
    return {"id": f"commentanalyzer.comments.{name}", "path": path, "flatPath": path, "httpMethod": "POST",
            "parameters": {}, "parameterOrder": [], "request": _ref(request), "response": _ref(response),
            "description": description}


def document(root_url: str) -> dict[str, Any]:
    """The discovery document with ``rootUrl`` = ``root_url`` (ending in ``/``)."""
    return {
        "kind": "discovery#restDescription", "discoveryVersion": "v1", "id": "commentanalyzer:v1alpha1",
        "name": "commentanalyzer", "version": "v1alpha1", "revision": "modbot", "title": "Perspective Comment "
        "Analyzer API (modbot)", "description": "Perspective-compatible comment analysis served by modbot.",
        "protocol": "rest", "rootUrl": root_url, "servicePath": "", "baseUrl": root_url, "batchPath": "batch",
        "ownerDomain": "modbot.local", "ownerName": "modbot", "parameters": _PARAMETERS, "schemas": SCHEMAS,
        "resources": {"comments": {"methods": {
            "analyze": _method("analyze", "AnalyzeCommentRequest", "AnalyzeCommentResponse",
                               "Analyzes the provided text and returns scores for the requested attributes."),
            "suggestscore": _method("suggestscore", "SuggestCommentScoreRequest", "SuggestCommentScoreResponse",
                                    "Suggest scores for a comment (stored as feedback)."),
        }}},
    }
