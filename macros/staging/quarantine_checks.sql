{#- The row-level checks every base model applies, built from the contract and a map of the
    typed columns: [condition, reason, column] lists for first_failing_check.
    typed: {column: {'type': 'timestamp'|'date'|'money'|'integer'|'boolean', 'parsed': expr}}
    enums: {column: [accepted values]} (case-sensitive, as the contract says) -#}
{% macro quarantine_checks(entity, typed={}, enums={}) -%}
    {%- set contract = personas.raw_contract(entity) -%}
    {%- set reasons = {
        'timestamp': 'unparseable_timestamp', 'date': 'unparseable_date',
        'money': 'unparseable_number', 'integer': 'unparseable_number',
        'boolean': 'unparseable_boolean'} -%}
    {%- set checks = [] -%}
    {%- for column in contract['required'] -%}
        {%- do checks.append([column ~ ' is null', 'missing_required_value', column]) -%}
    {%- endfor -%}
    {%- for column, values in enums.items() -%}
        {%- do checks.append([column ~ " not in ('" ~ values | join("', '") ~ "')", 'unknown_enum_value', column]) -%}
    {%- endfor -%}
    {%- for column, spec in typed.items() -%}
        {%- do checks.append([column ~ ' is not null and ' ~ spec['parsed'] ~ ' is null', reasons[spec['type']], column]) -%}
    {%- endfor -%}
    {%- for column, spec in typed.items() if spec['type'] == 'money' -%}
        {%- do checks.append([spec['parsed'] ~ ' < 0', 'negative_money', column]) -%}
    {%- endfor -%}
    {{ return(checks) }}
{%- endmacro %}
