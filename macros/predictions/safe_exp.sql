{#- exp() of an expression clamped to [-300, 300]: PostgreSQL raises on a floating-point
    overflow or underflow ("value out of range") where DuckDB and Spark return inf or 0, and
    e^-300 is already 0 for every use in the prediction models. -#}
{% macro safe_exp(expression) -%}
    exp(least(greatest({{ expression }}, -300), 300))
{%- endmacro %}
