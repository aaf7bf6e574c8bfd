{#- Returns a date var as 'YYYY-MM-DD', or stops the build with a message a marketer can read. -#}
{% macro validated_date_var(name, value) -%}
    {%- set text = value | string | trim -%}
    {%- set ns = namespace(ok=false) -%}
    {%- if modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', text) -%}
        {%- set year, month, day = text[0:4] | int, text[5:7] | int, text[8:10] | int -%}
        {%- set leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 -%}
        {%- set month_days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] -%}
        {%- set ns.ok = month >= 1 and month <= 12 and day >= 1 and day <= month_days[month - 1] -%}
    {%- endif -%}
    {%- if not ns.ok -%}
        {{ exceptions.raise_compiler_error(
            "The var " ~ name ~ " must be a real date written YYYY-MM-DD (for example 2026-05-31); got '"
            ~ text ~ "'. Set it in dbt_project.yml or with --vars '{" ~ name ~ ": 2026-05-31}'."
        ) }}
    {%- endif -%}
    {{- text -}}
{%- endmacro %}
