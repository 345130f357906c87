/**
 * The budget board shell (SPEC §9): no data in it; the script reads the `read` API, asking for a
 * token when the API answers 401. Every text goes through textContent (no HTML injection), and no
 * external CDN is used. The burn-down chart comes with the board issue; this page shows the
 * numbers, zones and remaining-budget bars.
 */
export const BOARD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>SLO budget board</title>
<style>
 body{font:14px system-ui,sans-serif;margin:24px;color:#1d2330;background:#f6f7f9}
 h1{font-size:20px;margin:0 0 4px} .meta{color:#667;margin-bottom:16px}
 h2{font-size:16px;margin:24px 0 8px} table{border-collapse:collapse;width:100%;background:#fff}
 th,td{padding:6px 10px;border-bottom:1px solid #e3e6ea;text-align:left;vertical-align:middle}
 th{font-weight:600;color:#445;background:#eef0f3} .num{font-variant-numeric:tabular-nums}
 .zone{display:inline-block;padding:2px 8px;border-radius:10px;color:#fff;font-weight:600;font-size:12px}
 .normal{background:#2e7d32}.caution{background:#d08b00}.freeze{background:#c62828}.exhausted{background:#4a0c0c}.unknown{background:#78818c}
 .bar{width:160px;height:10px;background:#e3e6ea;border-radius:5px;overflow:hidden;display:inline-block;vertical-align:middle;margin-right:6px}
 .fill{height:100%} .err{color:#c62828}
</style></head>
<body><h1>SLO budget board</h1><div class="meta" id="meta">loading…</div><div id="board"></div>
<script>
(function(){
 var board=document.getElementById('board'), meta=document.getElementById('meta');
 function el(tag,cls,text){var e=document.createElement(tag);if(cls)e.className=cls;if(text!=null)e.textContent=String(text);return e;}
 function pct(v){return v==null?'–':(v*100).toFixed(1)+'%';}
 function num(v){return v==null?'–':(Math.round(v*100)/100).toString();}
 function headers(){var t=localStorage.getItem('sloEngineToken');return t?{Authorization:'Bearer '+t}:{};}
 async function load(){
  var res=await fetch('v1/slos',{headers:headers()});
  if(res.status===401){var t=prompt('This board needs a token with the read scope');if(t){localStorage.setItem('sloEngineToken',t);return load();}}
  if(!res.ok){meta.textContent='';meta.appendChild(el('span','err','API answered '+res.status));return;}
  render((await res.json()).slos);
 }
 function render(slos){
  board.textContent='';
  var byService={};slos.forEach(function(s){(byService[s.service]=byService[s.service]||[]).push(s);});
  Object.keys(byService).sort().forEach(function(service){
   board.appendChild(el('h2',null,service));
   var table=el('table'),head=el('tr');
   ['SLO','objective','zone','remaining budget','SLI','burn rates','alerts','evaluated'].forEach(function(h){head.appendChild(el('th',null,h));});
   table.appendChild(head);
   byService[service].forEach(function(s){
    var tr=el('tr'),r=s.budget.remaining;
    tr.appendChild(el('td',null,s.slo));
    tr.appendChild(el('td','num',s.objective+'% / '+s.window));
    var z=el('td');z.appendChild(el('span','zone '+s.zone,s.zone));tr.appendChild(z);
    var b=el('td','num'),bar=el('span','bar'),fill=el('span','fill '+s.zone);fill.style.display='block';
    fill.style.width=(r==null?0:Math.max(0,Math.min(1,r))*100)+'%';bar.appendChild(fill);b.appendChild(bar);b.appendChild(document.createTextNode(pct(r)));tr.appendChild(b);
    tr.appendChild(el('td','num',s.sli==null?'–':(s.sli*100).toFixed(3)+'%'));
    tr.appendChild(el('td','num',Object.keys(s.burnRates).map(function(k){return k+' '+num(s.burnRates[k]);}).join('  ')));
    tr.appendChild(el('td',null,s.alerts.map(function(a){return a.severity;}).join(', ')||'none'));
    tr.appendChild(el('td','num',s.evaluatedAt||'never'));
    table.appendChild(tr);
   });
   board.appendChild(table);
  });
  meta.textContent=slos.length+' SLOs · refreshed '+new Date().toISOString();
 }
 load().catch(function(e){meta.textContent='failed: '+e.message;});
 setInterval(function(){load().catch(function(){});},15000);
})();
</script></body></html>`;
